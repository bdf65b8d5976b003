from django.urls import path, register_converter

from digisos.url_words import word_converter

from .views import major, record

app_name = "incidents"

# German words in the address bar for the incident actions; the code keeps the English keys.
ACTION_WORDS = {
    "status": "status",
    "note": "notiz",
    "attachment": "anlage",
    "attachment_share": "anlage-freigeben",
    "aware": "kenntnis",
}
register_converter(word_converter(ACTION_WORDS), "incident_action")

urlpatterns = [
    path("", record.incident_list, name="list"),
    path("<uuid:public_id>/", record.incident_detail, name="detail"),
    path("<uuid:public_id>/bearbeiten/", record.incident_edit, name="edit"),
    path("<uuid:public_id>/aktion/<incident_action:action>/", record.incident_action, name="action"),
    path("<uuid:public_id>/meldungen/<int:obligation_id>/erledigt/", record.obligation_done, name="obligation_done"),
    path("<uuid:public_id>/meldungen/<int:obligation_id>/entwurf/", record.obligation_draft, name="obligation_draft"),
    path("<uuid:public_id>/anlagen/<uuid:attachment_id>/", record.attachment_download, name="attachment"),
    path("grossschadenslagen/", major.major_list, name="major_list"),
    path("grossschadenslagen/<uuid:public_id>/", major.major_detail, name="major_detail"),
    path("grossschadenslagen/<uuid:public_id>/verknuepfen/", major.major_link_members, name="major_link"),
    path("grossschadenslagen/<uuid:public_id>/beenden/", major.major_close, name="major_close"),
]
