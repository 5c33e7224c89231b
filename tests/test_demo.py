from sk_sparse.__main__ import main


def test_demo_prints_table_and_writes_figure(tmp_path, capsys):
    out = tmp_path / "demo.png"
    results = main(["--out", str(out), "--sigma", "20"])
    assert out.stat().st_size > 10_000
    printed = capsys.readouterr().out
    assert "estimated sigma (mad)" in printed and "sliding DCT, uniform" in printed
    # Sliding windows beat tiles, and every method beats the noisy input.
    assert results["sliding DCT, uniform"] > results["non-overlapping DCT tiles"]
    assert min(results.values()) == results["noisy"]
