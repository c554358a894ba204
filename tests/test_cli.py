"""The crm-xl command: exit codes, one line per problem, output files."""

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from crm_xl.cli import main

CARD = """
[scorecard]
id_columns = ["id"]

[[indicators]]
id = "satisfaction"
label_zh = "满意度"
weight = 40
scale = "score"

[[indicators]]
id = "retention"
label_en = "Retention"
weight = 30
scale = "score"

[[indicators]]
id = "growth"
label_en = "Growth"
weight = 20
scale = "score"

[[indicators]]
id = "feedback"
label_en = "Positive feedback"
weight = 10
scale = "score"

[tiers]
thresholds = [65.5, 50]
labels = ["A", "B", "C"]
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "card.toml").write_text(CARD, encoding="utf-8")
    (tmp_path / "t.csv").write_text(
        "id,satisfaction,retention,growth,feedback\nworked,85,75,10,70\nbest,100,100,100,100\nblank,,,,\n",
        encoding="utf-8",
    )
    return tmp_path


def test_score_writes_scores_tiers_and_contributions(files, capsys):
    code = main(
        [
            "score",
            str(files / "t.csv"),
            "--model",
            str(files / "card.toml"),
            "-o",
            str(files / "out.csv"),
        ]
    )
    assert code == 0
    out = pd.read_csv(files / "out.csv", encoding="utf-8-sig")
    # the worked example: 65.5, exactly the A threshold → B (a tier is reached by exceeding it)
    assert out["score"].tolist()[:2] == [65.5, 100.0]
    assert out["tier"].tolist()[:2] == ["B", "A"]
    assert out.loc[
        0, ["points_satisfaction", "points_retention", "points_growth", "points_feedback"]
    ].tolist() == [
        34.0,
        22.5,
        2.0,
        7.0,
    ]
    printed = capsys.readouterr().out
    assert "scored 3 customers" in printed and "2 with a score, 1 without" in printed
    assert "tiers: A 1, B 1, C 0" in printed


def test_score_to_xlsx(files):
    assert (
        main(
            [
                "score",
                str(files / "t.csv"),
                "-m",
                str(files / "card.toml"),
                "-o",
                str(files / "o.xlsx"),
            ]
        )
        == 0
    )
    assert pd.read_excel(files / "o.xlsx", engine="calamine")["score"].tolist()[:2] == [65.5, 100.0]


def test_errors_are_one_line_each_and_exit_1(files, capsys):
    (files / "bad.csv").write_text("id,satisfaction,retention,growth\nx,a,b,1\n", encoding="utf-8")
    code = main(
        [
            "score",
            str(files / "bad.csv"),
            "-m",
            str(files / "card.toml"),
            "-o",
            str(files / "o.csv"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "no column 'feedback'" in err[0]
    assert "Traceback" not in "\n".join(err)
    assert not (files / "o.csv").exists()


def test_bad_scorecard_lists_every_problem(files, capsys):
    (files / "bad.toml").write_text(
        CARD.replace("weight = 40", "weight = 30").replace('scale = "score"', 'scale = "scroe"', 1)
    )
    code = main(
        ["score", str(files / "t.csv"), "-m", str(files / "bad.toml"), "-o", str(files / "o.csv")]
    )
    assert code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert (
        "indicators[1].scale: must be one of 'linear', 'form', 'minmax', 'score', got 'scroe'"
        in lines[0]
    )
    assert "indicators: weights sum to 90, not 100 %" in lines[1]


def test_normalize_weights_flag_turns_the_sum_error_into_a_warning(files, capsys):
    (files / "w.toml").write_text(CARD.replace("weight = 40", "weight = 30"))
    args = ["score", str(files / "t.csv"), "-m", str(files / "w.toml"), "-o", str(files / "o.csv")]
    assert main(args) == 1
    assert "weights sum to 90" in capsys.readouterr().err
    assert main([*args, "--normalize-weights"]) == 0
    assert "warning: indicators: weights sum to 90" in capsys.readouterr().err


def test_refuses_to_overwrite_the_input(files, capsys):
    before = (files / "t.csv").read_bytes()
    code = main(
        ["score", str(files / "t.csv"), "-m", str(files / "card.toml"), "-o", str(files / "t.csv")]
    )
    assert code == 1 and "would overwrite the input table" in capsys.readouterr().err
    assert (files / "t.csv").read_bytes() == before


def test_debug_shows_the_traceback(files):
    with pytest.raises(Exception, match="no such file"):
        main(
            [
                "score",
                str(files / "nope.csv"),
                "-m",
                str(files / "card.toml"),
                "-o",
                str(files / "o.csv"),
                "--debug",
            ]
        )


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "score" in capsys.readouterr().out


def test_demo_prints_worked_example_tiers_and_explanation(capsys, tmp_path):
    assert main(["demo", "--copy-samples", str(tmp_path / "start")]) == 0
    out = capsys.readouterr().out
    assert "= 65.5" in out
    assert "Customers per tier" in out and "Why " in out
    assert sorted(p.name for p in (tmp_path / "start").iterdir()) == [
        "customers.csv",
        "scorecard.toml",
    ]


def test_demo_in_chinese(capsys):
    assert main(["demo", "--lang", "zh"]) == 0
    assert "综合得分" in capsys.readouterr().out


def test_help_does_not_import_pandas():
    code = "import sys, crm_xl.cli as c; c.build_parser(); print('pandas' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_installed_command_runs_from_any_directory(tmp_path):
    """`pip install .` must give a crm-xl that finds its sample data from anywhere (CI installs it)."""
    exe = shutil.which("crm-xl")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("crm-xl is not on PATH in CI: the package was not installed")
        pytest.skip("crm-xl is not installed here (pip install . puts it on PATH)")
    result = subprocess.run([exe, "demo"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "= 65.5" in result.stdout


def test_output_cut_off_by_the_reader_is_not_an_internal_error():
    # `crm-xl demo | head -1`: the reader closes the pipe after one line
    proc = subprocess.Popen(
        [sys.executable, "-m", "crm_xl", "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == b""


def test_debug_before_or_after_the_command():
    from crm_xl.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["--debug", "demo"]).debug is True
    assert parser.parse_args(["demo", "--debug"]).debug is True
    assert parser.parse_args(["demo"]).debug is False
