import io
from pathlib import Path

from koula.cli import main

DATA = Path(__file__).parents[1] / "data" / "templates"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_templates_list_names_every_library_template():
    status, out = run("templates", "list")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()][:1] == ["default-koula"]
    assert len(out.splitlines()) >= 3


def test_templates_list_speaks_french_on_request():
    _, out = run("--lang", "fr", "templates", "list")
    assert "Koula standard" in out


def test_templates_show_gives_the_agenda_and_the_forms():
    status, out = run("templates", "show", "default-koula")
    assert status == 0
    assert "90 minutes" in out
    assert "commitment:" in out


def test_templates_show_source_prints_a_valid_file(tmp_path):
    _, source = run("templates", "show", "troika-action-learning", "--source")
    (tmp_path / "mine.yaml").write_text(source)
    status, out = run("templates", "validate", str(tmp_path / "mine.yaml"))
    assert status == 0
    assert "valid template 'troika-action-learning'" in out


def test_validate_lists_every_located_problem_and_exits_non_zero():
    status, out = run("templates", "validate", str(DATA / "broken.yaml"))
    assert status == 1
    assert (
        f"{DATA / 'broken.yaml'}: phases[2].minutes: must be a whole number of minutes above 0"
        in out
    )
    assert "Problems found: 11." in out


def test_an_unknown_template_or_file_is_a_usage_error(capsys):
    assert run("templates", "show", "nope")[0] == 2
    assert run("templates", "validate", "/no/such/file.yaml")[0] == 2
    assert "no such file" in capsys.readouterr().err


def test_no_command_prints_help():
    status, out = run()
    assert status == 2
    assert "templates" in out
