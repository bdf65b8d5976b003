"""/api/v1/ routes of the settlement app (included before calloffs' API, which ends in a catch-all 404)."""

from django.urls import path

from . import invoices, views

app_name = "settlement_api"

calloff_statements = views.CallOffStatementViewSet.as_view({"get": "list", "post": "create"})
statement = views.StatementViewSet.as_view({"get": "retrieve"})
answer = views.StatementViewSet.as_view({"post": "answer"})
invoice = invoices.StatementInvoiceViewSet.as_view({"get": "retrieve", "put": "upload"})
invoice_pdf = invoices.StatementInvoiceViewSet.as_view({"get": "pdf"})

urlpatterns = [
    path("calloffs/<str:id>/statements/", calloff_statements, name="calloff-statements"),
    path("statements/<str:id>/", statement, name="statement-detail"),
    path("statements/<str:id>/answer/", answer, name="statement-answer"),
    path("statements/<str:id>/invoice/", invoice, name="statement-invoice"),
    path("statements/<str:id>/invoice.pdf", invoice_pdf, name="statement-invoice-pdf"),
]
