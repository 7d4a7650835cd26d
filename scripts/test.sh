#!/usr/bin/env bash
# The whole test suite: static checks, then pytest on SQLite and on PostgreSQL.
# Called by `./run test` (and so by .ci/run) with .venv already installed.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.venv/bin
export PATH="$PWD/.venv/bin:$PATH"
export DJANGO_SETTINGS_MODULE=parindex.config.settings
export PARINDEX_SECRET_KEY="${PARINDEX_SECRET_KEY:-test-only-secret}"
failed=()

# System tools the suite uses as real components: Chromium for the browser tests,
# LibreOffice and poppler to open and read the exported documents, fonts for WeasyPrint.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "» Cài đặt công cụ hệ thống cho bộ kiểm thử: ${need[*]}"
        apt-get update -qq >/dev/null 2>&1 || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" fonts-dejavu-core >/dev/null \
            || echo "!! Không cài được ${need[*]}" >&2
    else
        echo "!! Thiếu ${need[*]}: cài bằng apt-get (cần quyền root); các bài kiểm thử cần chúng sẽ thất bại trong CI" >&2
    fi
fi

step() {
    local name="$1"; shift
    echo "══ $name"
    if ! "$@"; then
        failed+=("$name")
    fi
}

step "ruff check" "$VENV/ruff" check .
step "ruff format --check" "$VENV/ruff" format --check .
step "mypy (engine strict, apps)" env DATABASE_URL= "$VENV/mypy"
step "manage.py check" env DATABASE_URL= "$VENV/parindex" manage check --fail-level WARNING
step "makemigrations --check" env DATABASE_URL= "$VENV/parindex" manage makemigrations --check --dry-run

# Pass 1: SQLite (the default database).
step "pytest on SQLite" env DATABASE_URL= "$VENV/python" -m pytest "$@"

# Pass 2: PostgreSQL.
PG_URL="${PARINDEX_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/parindex}"
pg_ready() { "$VENV/python" scripts/pg_ready.py "$PG_URL"; }
if ! pg_ready; then
    if [ "${CI:-}" = "true" ]; then
        echo "» PostgreSQL không chạy; đang khởi động (CI)"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
        for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
    fi
fi
if pg_ready; then
    step "pytest on PostgreSQL" env DATABASE_URL="$PG_URL" "$VENV/python" -m pytest "$@"
elif [ "${CI:-}" = "true" ]; then
    echo "✗ PostgreSQL không thể khởi động trong CI ($PG_URL)" >&2
    failed+=("PostgreSQL unavailable")
else
    echo "!! BỎ QUA lượt PostgreSQL: không kết nối được $PG_URL (đặt PARINDEX_TEST_DATABASE_URL hoặc khởi động PostgreSQL)"
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "✗ Thất bại: ${failed[*]}" >&2
    exit 1
fi
echo "✓ Tất cả kiểm tra đều đạt"
