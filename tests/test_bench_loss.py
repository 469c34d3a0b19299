"""``softmax-explorer bench --loss``: every workload trains with the named loss."""

import json

import pytest

from explorer.bench.command import format_table, run_bench
from explorer.bench.memory import run_child
from explorer.bench.workloads import WORKLOADS, select
from explorer.core import LOSSES, cli_loss_name


@pytest.mark.parametrize("loss", LOSSES)
def test_select_gives_every_workload_the_loss_in_either_spelling(loss):
    for spelled in (loss, cli_loss_name(loss)):
        chosen = select("W1,W2,W3", loss=spelled)
        assert [w.loss for w in chosen] == [loss] * 3
        assert all(w.config().loss == loss for w in chosen)
        assert [(w.samples, w.classes) for w in chosen] == [
            (w.samples, w.classes) for w in WORKLOADS.values()
        ]
    assert select("W1", quick=True, loss=loss)[0].session().config.loss == loss


def test_the_default_loss_is_cross_entropy():
    assert all(w.loss == "cross_entropy" for w in select(None))
    assert "loss cross_entropy" in select("W1")[0].describe()


def test_a_bad_loss_exits_2_with_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        run_bench(["--loss", "hinge"])
    assert exc.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("softmax-explorer bench: error: unknown loss 'hinge'")


@pytest.mark.slow
def test_quick_bench_with_a_hinge_loss_reports_it(capsys):
    argv = ["--quick", "--workloads", "W1", "--frames", "2", "--loss", "svm-ww"]
    argv += ["--no-reference", "--no-memory", "--no-startup", "--json", "--quiet"]
    assert run_bench(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["settings"]["loss"] == "svm_ww"
    assert result["workloads"]["W1"]["frame_ms"]["median"] > 0
    assert "loss: svm_ww (every workload)" in format_table(result)


@pytest.mark.slow
def test_the_memory_child_trains_with_the_loss():
    result = run_child("peak", "W1", 2, quick=True, loss="squared_error")
    assert result["peak_rss_mib"] > 0 and result["frames"] == 2
    assert result["loss"] == "squared_error"
