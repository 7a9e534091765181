"""The benchmark table's ratio column reads the same way for times and for rates: below 1, ours is faster."""

from bench.runner import Row, print_table


def test_time_ratio_is_ours_over_tfjs():
    assert Row("load", 50.0, 200.0).ratio == "0.25"
    assert Row("load", 300.0, 200.0).ratio == "1.50"


def test_rate_ratio_is_tfjs_over_ours():
    # 4936 samples/s against 270: ours is about 18 times faster, so the ratio is below 1
    assert Row("training", 4936.0, 270.0, unit="samples/s").ratio == "0.05"
    assert Row("training", 100.0, 400.0, unit="samples/s").ratio == "4.00"


def test_missing_side_has_no_ratio(capsys):
    rows = [Row("ours only", 12.0), Row("no TF.js figure", 3.0, None, unit="count"), Row("none", None, 5.0)]
    assert [r.ratio for r in rows] == ["-", "-", "-"]
    print_table(rows)
    out = capsys.readouterr().out
    assert "ratio (<1: ours faster)" in out.splitlines()[0]
    assert len(out.splitlines()) == 2 + len(rows)
