from django.urls import path

from parindex.oversight import views, views_register

app_name = "oversight"

K = "giam-sat/kiem-tra"

urlpatterns = [
    path("giam-sat/", views.index, name="index"),
    path("giam-sat/<int:cycle_pk>/kiem-tra/", views.inspections, name="inspections"),
    path("giam-sat/<int:cycle_pk>/kiem-tra/ke-hoach/", views.plan_save, name="plan_save"),
    path("giam-sat/<int:cycle_pk>/kiem-tra/don-vi/", views.entry_add, name="entry_add"),
    path("giam-sat/<int:cycle_pk>/kiem-tra/bao-cao/", views.report, name="report"),
    path("giam-sat/<int:cycle_pk>/kiem-tra/bao-cao.xlsx", views.report_export, name="report_xlsx"),
    path(f"{K}/don-vi/<int:entry_pk>/", views.entry, name="entry"),
    path(f"{K}/don-vi/<int:entry_pk>/xoa/", views.entry_remove, name="entry_remove"),
    path(f"{K}/don-vi/<int:entry_pk>/bien-ban/", views.record_add, name="record_add"),
    path(f"{K}/bien-ban/<int:record_pk>/kien-nghi/", views.finding_add, name="finding_add"),
    path(f"{K}/kien-nghi/<int:finding_pk>/xu-ly/", views.finding_update, name="finding_resolve"),
    path(f"{K}/bien-ban/<int:record_pk>/sua/", views.record_edit, name="record_edit"),
    path(f"{K}/kien-nghi/<int:finding_pk>/sua/", views.finding_edit, name="finding_edit"),
    path("giam-sat/sang-kien/", views_register.initiatives, name="initiatives"),
    path("giam-sat/sang-kien/them/", views_register.initiative_add, name="initiative_add"),
    path("giam-sat/sang-kien/chi-tieu/", views_register.initiative_goal, name="initiative_goal"),
    path(
        "giam-sat/sang-kien/<int:initiative_pk>/xoa/",
        views_register.initiative_delete,
        name="initiative_remove",
    ),
    path(
        "giam-sat/sang-kien/<int:initiative_pk>/tep/",
        views_register.initiative_file,
        name="initiative_file",
    ),
    path("giam-sat/<int:cycle_pk>/chi-tieu/", views_register.targets, name="targets"),
    path("giam-sat/<int:cycle_pk>/chi-tieu/them/", views_register.target_add, name="target_add"),
    path(
        "giam-sat/<int:cycle_pk>/chi-tieu/tinh-diem/",
        views_register.targets_feed_view,
        name="targets_feed",
    ),
    path("giam-sat/chi-tieu/<int:target_pk>/", views_register.target_edit, name="target_edit"),
]
