from django.contrib.auth import views as auth_views
from django.urls import include, path

from parindex.web import (
    views,
    views_account,
    views_admin,
    views_appraisal,
    views_assessment,
    views_audit,
    views_council,
    views_imports,
    views_stages,
)

A = views_assessment
P = views_appraisal
C = views_council

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("parindex.web.urls_results")),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("xac-thuc-hai-buoc/", views_account.twofactor_verify, name="twofactor_verify"),
    # The user's own account; the admin's security page
    path("tai-khoan/", views_account.account, name="account"),
    path("tai-khoan/doi-mat-khau/", views_account.PasswordChange.as_view(), name="password_change"),
    path("tai-khoan/xac-thuc-hai-buoc/", views_account.twofactor_enrol, name="twofactor_enrol"),
    path("tai-khoan/khoa-api/", views_account.token_list, name="token_list"),
    path(
        "tai-khoan/khoa-api/<int:pk>/thu-hoi/",
        views_account.token_revoke_view,
        name="token_revoke",
    ),
    path("quan-tri/bao-mat/", views_account.security_admin, name="security_admin"),
    path(
        "quan-tri/bao-mat/mo-khoa/<int:pk>/", views_account.login_unlock_view, name="login_unlock"
    ),
    path(
        "quan-tri/bao-mat/nguoi-dung/<int:pk>/dat-lai-xac-thuc/",
        views_account.twofactor_reset_view,
        name="twofactor_reset",
    ),
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/nhap-tep/", views_imports.unit_import, name="unit_import"),
    path("don-vi/tep-mau.csv", views_imports.units_template, name="unit_template"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit_detail"),
    path("bo-tieu-chi/", views.framework_list, name="framework_list"),
    path("bo-tieu-chi/<str:code>/", views.framework_detail, name="framework_detail"),
    path(
        "bo-tieu-chi/<str:code>/tai-ve.<str:fmt>",
        views.framework_download,
        name="framework_download",
    ),
    path("ky-danh-gia/", views.cycle_list, name="cycle_list"),
    path("ky-danh-gia/mo/", views_admin.cycle_open, name="cycle_open"),
    path("ky-danh-gia/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("ky-danh-gia/<int:pk>/giai-doan/", views_stages.cycle_stage, name="cycle_stage"),
    path("ky-danh-gia/<int:pk>/tien-do/", views_admin.progress, name="cycle_progress"),
    path("ky-danh-gia/<int:pk>/phan-cong/", views_admin.assignments, name="cycle_assignments"),
    path("ky-danh-gia/<int:pk>/gia-han/", views_admin.deadline_extensions, name="cycle_extensions"),
    path("ky-danh-gia/<int:pk>/diem-ngoai/", views_admin.external_points, name="cycle_external"),
    path(
        "ky-danh-gia/<int:pk>/diem-ngoai/tep-mau.csv",
        views_imports.external_template,
        name="cycle_external_template",
    ),
    path(
        "ky-danh-gia/<int:pk>/diem-ngoai/<int:score_pk>/khong-ap-dung/",
        C.external_na,
        name="cycle_external_na",
    ),
    # The unit's self-assessment
    path("phieu-cua-don-vi/", A.my_assessment, name="my_assessment"),
    path("phieu/<int:pk>/", A.assessment_detail, name="assessment_detail"),
    path("phieu/<int:pk>/gui/", A.assessment_submit, name="assessment_submit"),
    path("phieu/<int:pk>/rut/", A.assessment_withdraw, name="assessment_withdraw"),
    path("phieu/<int:pk>/gui-giai-trinh/", A.assessment_resubmit, name="assessment_resubmit"),
    path(
        "phieu/<int:pk>/chuyen-tai-lieu/", A.evidence_carry_forward, name="evidence_carry_forward"
    ),
    path("phieu/<int:pk>/nhat-ky/", views_audit.assessment_audit, name="assessment_audit"),
    path("phieu/<int:pk>/tieu-chi/<int:score_pk>/", A.leaf, name="leaf"),
    path(
        "phieu/<int:pk>/tieu-chi/<int:score_pk>/giai-trinh/",
        C.explanation_answer,
        name="explanation_answer",
    ),
    path("phieu/<int:pk>/tieu-chi/<int:score_pk>/y-kien/", A.comment_add, name="comment_add"),
    path(
        "phieu/<int:pk>/tieu-chi/<int:score_pk>/nhat-ky/", views_audit.leaf_audit, name="leaf_audit"
    ),
    path(
        "phieu/<int:pk>/tieu-chi/<int:score_pk>/tai-lieu/them/",
        A.evidence_forms,
        name="evidence_forms",
    ),
    path(
        "phieu/<int:pk>/tieu-chi/<int:score_pk>/tai-lieu/tai-len/",
        A.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "phieu/<int:pk>/tieu-chi/<int:score_pk>/tai-lieu/van-ban/",
        A.evidence_reference,
        name="evidence_reference",
    ),
    path(
        "phieu/<int:pk>/tieu-chi/<int:score_pk>/tai-lieu/chon/",
        A.evidence_attach,
        name="evidence_attach",
    ),
    path(
        "phieu/<int:pk>/tieu-chi/<int:score_pk>/tai-lieu/<int:link_pk>/bo/",
        A.evidence_detach,
        name="evidence_detach",
    ),
    # Appraisal
    path("tham-dinh/<int:cycle_pk>/", P.appraisal_home, name="appraisal_home"),
    path(
        "tham-dinh/<int:cycle_pk>/tieu-chi/<str:code>/",
        P.appraisal_criterion,
        name="appraisal_criterion",
    ),
    path("tham-dinh/phieu/<int:pk>/", P.appraisal_unit, name="appraisal_unit"),
    path(
        "tham-dinh/phieu/<int:pk>/tieu-chi/<int:score_pk>/",
        P.appraisal_leaf,
        name="appraisal_leaf",
    ),
    path("tham-dinh/phieu/<int:pk>/bat-dau/", P.appraisal_start, name="appraisal_start"),
    path("tham-dinh/phieu/<int:pk>/tra-lai/", P.assessment_return, name="assessment_return"),
    path(
        "tham-dinh/phieu/<int:pk>/vong-2/", P.appraisal_round2_start, name="appraisal_round2_start"
    ),
    path("tham-dinh/phieu/<int:pk>/mo-lai/", P.assessment_reopen, name="assessment_reopen"),
    path("tham-dinh/phieu/<int:pk>/xong/", C.appraisal_done, name="appraisal_done"),
    path("hoi-dong/<int:cycle_pk>/", C.council_list, name="council_list"),
    path("hoi-dong/<int:cycle_pk>/quyet-dinh/", C.council_decision, name="council_decision"),
    path("hoi-dong/phieu/<int:pk>/", C.council_unit, name="council_unit"),
    path("hoi-dong/phieu/<int:pk>/phe-duyet/", P.council_approve, name="council_approve"),
    # Notifications
    path("thong-bao/", views_audit.notification_list, name="notification_list"),
    path("thong-bao/<int:pk>/da-doc/", views_audit.notification_read, name="notification_read"),
    path("thong-bao/da-doc-het/", views_audit.notification_read_all, name="notification_read_all"),
]
