from django.urls import path

from . import views

app_name = "settlement"

urlpatterns = [
    path("", views.statement_list, name="list"),
    path("<uuid:public_id>/", views.statement_detail, name="detail"),
    path("<uuid:public_id>/xrechnung/", views.statement_invoice, name="invoice"),
    path("<uuid:public_id>/rechnung.pdf", views.statement_invoice_pdf, name="invoice_pdf"),
    path("<uuid:public_id>/rechnung-hochladen/", views.statement_invoice_upload, name="invoice_upload"),
    path("abruf/<uuid:calloff_id>/einreichen/", views.statement_submit, name="submit"),
    path("vertrag/<uuid:public_id>/", views.billing_terms, name="billing_terms"),
]
