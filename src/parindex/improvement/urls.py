from django.urls import path

from parindex.improvement import views

app_name = "improvement"

urlpatterns = [
    path("cai-thien/phan-cong/", views.matrix, name="matrix"),
    path("cai-thien/phan-cong/them/", views.matrix_add, name="matrix_add"),
    path("cai-thien/phan-cong/sao-chep/", views.matrix_copy, name="matrix_copy"),
    path("cai-thien/phan-cong/<int:row_pk>/", views.matrix_row, name="matrix_row"),
    path(
        "cai-thien/phan-cong/<int:row_pk>/tien-do/", views.matrix_progress, name="matrix_progress"
    ),
    path("cai-thien/tieu-chi-cua-toi/", views.my_criteria, name="my_criteria"),
    path("cai-thien/ke-hoach/", views.plans, name="plans"),
    path("cai-thien/ke-hoach/<int:plan_pk>/", views.plan, name="plan"),
    path("cai-thien/ke-hoach/<int:plan_pk>/muc-tieu/", views.target_set, name="target_set"),
    path("cai-thien/ke-hoach/<int:plan_pk>/nhiem-vu/", views.task_add, name="task_add"),
    path("cai-thien/ke-hoach/<int:plan_pk>/du-thao/", views.plan_generate, name="plan_generate"),
    path("cai-thien/ke-hoach/<int:plan_pk>/phe-duyet/", views.plan_approve, name="plan_approve"),
    path("cai-thien/ke-hoach/<int:plan_pk>/tien-do/", views.dashboard, name="dashboard"),
    path("cai-thien/ke-hoach/<int:plan_pk>/word/", views.export_docx, name="plan_docx"),
    path("cai-thien/ke-hoach/<int:plan_pk>/excel/", views.export_xlsx, name="plan_xlsx"),
    path("cai-thien/nhiem-vu/<int:task_pk>/", views.task, name="task"),
    path("cai-thien/nhiem-vu/<int:task_pk>/tien-do/", views.task_progress, name="task_progress"),
    path("cai-thien/nhiem-vu/<int:task_pk>/tai-lieu/", views.task_evidence, name="task_evidence"),
    path(
        "cai-thien/nhiem-vu/<int:task_pk>/tai-lieu/<int:document_pk>/",
        views.task_document,
        name="task_document",
    ),
]
