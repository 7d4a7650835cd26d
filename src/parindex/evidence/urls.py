from django.urls import path

from parindex.evidence import views

app_name = "evidence"

urlpatterns = [
    path("tai-lieu/<int:pk>/", views.document_download, name="download"),
]
