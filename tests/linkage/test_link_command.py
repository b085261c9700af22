"""`wangge link` on real files (xlsx, GBK CSV with a title row), run as a person runs it, with
a database URL that cannot be reached: the command must not need one."""

import csv
import os
import subprocess
import sys

import pytest

from wangge.linkage.generator import population, write_lists

UNREACHABLE = "postgres://nobody@127.0.0.1:9/nothing"


def wangge(*arguments, cwd):
    environment = {**os.environ, "DATABASE_URL": UNREACHABLE}
    return subprocess.run([sys.executable, "-m", "wangge.cli", *arguments, "--lang", "en"],
                          cwd=cwd, env=environment, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def lists(tmp_path_factory):
    directory = tmp_path_factory.mktemp("lists")
    paths, truth = write_lists(directory, population(150, seed=9), seed=9, xlsx=("housing",))
    gbk = directory / "社区名单.csv"
    gbk.write_bytes("XX社区 2024 年名单\n姓名,身份证号,联系电话,住址\n"
                    "李思远,,139-1111-0001,阳光花园三栋二单元501\n"
                    "李思远,420102197503040113,13911110001,阳光花园3-2-501\n".encode("gbk"))
    return directory, [*paths, gbk], truth


def test_every_row_once_with_its_source_and_row(lists):
    directory, paths, truth = lists
    result = wangge("link", *map(str, paths), "--out", "clusters.csv", cwd=directory)
    assert result.returncode == 0, result.stderr
    with (directory / "clusters.csv").open(encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["source", "row", "cluster"]
    written = [(source, int(number)) for source, number, _cluster in rows[1:]]
    expected = [*truth, ("社区名单.csv", 1), ("社区名单.csv", 2)]
    assert sorted(written) == sorted(expected)
    assert {path.name for path in paths} == {source for source, _number in written}
    clusters = {(source, int(number)): cluster for source, number, cluster in rows[1:]}
    assert clusters[("社区名单.csv", 1)] == clusters[("社区名单.csv", 2)]
    assert any(path.suffix == ".xlsx" for path in paths)


def test_explain_prints_each_comparison(lists):
    directory, paths, _truth = lists
    result = wangge("link", *map(str, paths), "--explain", "社区名单.csv:1", "社区名单.csv:2",
                    cwd=directory)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["comparison", "left", "right", "level", "m", "u", "weight"]
    by_comparison = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    assert by_comparison["name"][3] == "exact"
    assert by_comparison["home"][3] == "same address and phone"
    assert by_comparison["id"][3] == "—"
    assert {"prior", "total"} <= set(by_comparison)
    assert "same person" in result.stdout


def test_unreadable_file_exits_2(lists, tmp_path):
    _directory, paths, _truth = lists
    missing = wangge("link", str(paths[0]), "nothing.csv", "--out", "c.csv", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nothing.csv" in missing.stderr
    assert "Traceback" not in missing.stderr
    no_columns = tmp_path / "notes.csv"
    no_columns.write_text("日期,事项\n2024-01-01,巡查\n", encoding="utf-8")
    result = wangge("link", str(no_columns), "--out", "c.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert "notes.csv" in result.stderr


def test_bad_options_are_refused_clearly(lists, tmp_path):
    directory, paths, _truth = lists
    result = wangge("link", str(paths[0]), "--out", "c.csv", "--threshold", "2", cwd=tmp_path)
    assert result.returncode == 1
    assert "--threshold" in result.stderr
    result = wangge("link", str(paths[0]), "--explain", "health.csv:1", "nowhere.csv:1",
                    cwd=directory)
    assert result.returncode == 1
    assert "nowhere.csv:1" in result.stderr
    assert "Traceback" not in result.stderr
