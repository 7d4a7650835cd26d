from django.urls import path

from parindex.surveys import public, views

app_name = "surveys"

urlpatterns = [
    path("khao-sat/<str:token>/", public.survey_form, name="form"),
    path("quan-tri/khao-sat/", views.survey_list, name="list"),
    path("quan-tri/khao-sat/bang-hoi/", views.questionnaire_add, name="questionnaire_add"),
    path("quan-tri/khao-sat/tao/", views.survey_add, name="add"),
    path("quan-tri/khao-sat/<int:pk>/", views.survey_detail, name="detail"),
    path("quan-tri/khao-sat/<int:pk>/khung-mau/", views.frame_add, name="frame_add"),
    path(
        "quan-tri/khao-sat/<int:pk>/khung-mau/<int:frame_pk>/ma-phieu/",
        views.tokens_add,
        name="tokens_add",
    ),
    path(
        "quan-tri/khao-sat/<int:pk>/khung-mau/<int:frame_pk>/ma-qr.pdf",
        views.qr_sheet,
        name="qr_sheet",
    ),
    path("quan-tri/khao-sat/<int:pk>/nhap-tep/", views.responses_upload, name="import"),
    path("quan-tri/khao-sat/<int:pk>/phieu-giay/", views.paper, name="paper"),
    path("quan-tri/khao-sat/<int:pk>/duyet/", views.review, name="review"),
    path("quan-tri/khao-sat/<int:pk>/duyet/<int:response_pk>/", views.decide, name="decide"),
    path("quan-tri/khao-sat/<int:pk>/duyet-nhieu/", views.approve_all, name="approve_all"),
    path("quan-tri/khao-sat/<int:pk>/dua-vao-ky/", views.feed, name="feed"),
    path("quan-tri/khao-sat/<int:pk>/trang-thai/", views.status, name="status"),
    path("khao-sat-ket-qua/<int:pk>/", views.results, name="results"),
    path("khao-sat-ket-qua/<int:pk>/ket-qua.xlsx", views.results_xlsx, name="results_xlsx"),
    path("khao-sat-ket-qua/<int:pk>/bao-cao.docx", views.results_docx, name="results_docx"),
]
