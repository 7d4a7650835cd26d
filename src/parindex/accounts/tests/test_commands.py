"""The Django-backed CLI commands."""

from __future__ import annotations

import argparse

import pytest

from parindex.cli import main
from parindex.units.models import Unit


@pytest.mark.django_db
def test_parindex_manage_check_works(capsys):
    assert main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


@pytest.mark.django_db
def test_units_import_prints_each_problem_and_fails(tmp_path, capsys):
    from parindex.commands.django_cmds import units

    bad = tmp_path / "donvi.csv"
    bad.write_text("unit,name,group\nso-y-te,,Sở\n", encoding="utf-8")
    assert units(argparse.Namespace(action="import", file=str(bad))) == 1
    err = capsys.readouterr().err
    assert "dòng 2, cột name: Thiếu tên đơn vị" in err
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_framework_import_command_refuses_a_second_import_without_replace(capsys):
    from parindex.commands.django_cmds import framework_import
    from parindex.formats.frameworks import shipped_frameworks

    path = str(shipped_frameworks()["sample-departments-2025"])
    args = argparse.Namespace(file=path, replace=False)
    assert framework_import(args) == 0
    assert "Đã nhập bộ tiêu chí sample-departments-2025" in capsys.readouterr().out
    assert framework_import(args) == 1
    assert "--replace" in capsys.readouterr().err
    assert framework_import(argparse.Namespace(file=path, replace=True)) == 0


def test_serve_refuses_to_start_without_a_secret_key(monkeypatch, capsys):
    monkeypatch.delenv("PARINDEX_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert main(["serve"]) == 2
    assert "PARINDEX_SECRET_KEY" in capsys.readouterr().err


def test_serve_runs_gunicorn_workers_on_linux_and_the_demo_one_waitress(monkeypatch, capsys):
    from parindex.commands import django_cmds

    started = []

    class FakeServer:
        def __init__(self, **kw):
            self.kw = kw

        def run(self):
            started.append(("gunicorn", self.kw))

    monkeypatch.setenv("PARINDEX_SECRET_KEY", "test-only")
    monkeypatch.setattr(django_cmds, "_setup", lambda: None)
    # serve() collects the static files and asks for hashed names (tested in
    # web/tests/test_light_pages.py); here Django is already set up, and the environment
    # variable it sets must not outlive this test.
    monkeypatch.setattr(django_cmds, "collect_static", lambda: None)
    monkeypatch.setenv("PARINDEX_STATIC_MANIFEST", "false")
    monkeypatch.setattr(django_cmds.sys, "platform", "linux")
    monkeypatch.setattr(django_cmds, "_gunicorn", lambda app, **kw: FakeServer(**kw))
    import waitress

    monkeypatch.setattr(waitress, "serve", lambda app, **kw: started.append(("waitress", kw)))
    assert main(["serve", "--addr", "127.0.0.1:9001", "--workers", "3", "--threads", "2"]) == 0
    assert main(["serve"]) == 0
    args = argparse.Namespace(addr="127.0.0.1:9002", threads=4)
    assert django_cmds.serve(args, launched_by_demo=True) == 0
    monkeypatch.setattr(django_cmds.sys, "platform", "win32")
    assert main(["serve", "--threads", "6"]) == 0
    assert started == [
        ("gunicorn", {"addr": "127.0.0.1:9001", "workers": 3, "threads": 2}),
        (
            "gunicorn",
            {"addr": "127.0.0.1:8000", "workers": django_cmds.server_workers(), "threads": 8},
        ),
        ("waitress", {"listen": "127.0.0.1:9002", "threads": 4}),
        ("waitress", {"listen": "127.0.0.1:8000", "threads": 6}),
    ]


def test_the_gunicorn_server_is_configured_with_gthread_workers():
    from parindex.commands.django_cmds import _gunicorn

    server = _gunicorn(object(), addr="127.0.0.1:9003", workers=2, threads=4)
    cfg = server.cfg
    assert (cfg.bind, cfg.workers, cfg.threads) == (["127.0.0.1:9003"], 2, 4)
    assert cfg.worker_class_str == "gthread"
