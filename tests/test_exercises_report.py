"""The checker's report, its JSON and its cutting of long messages, in both languages.

Results are built by hand here (a ``CheckResult`` with the checks, errors and hints a check
would produce), so each test states the words the report must contain and can fail on its own;
one test goes through a real exercise end to end.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import numpy as np
import pytest

from tinygrad_edu.exercises import EXERCISES
from tinygrad_edu.exercises.core import check_values
from tinygrad_edu.exercises.i18n import Msg, and_list, set_lang
from tinygrad_edu.exercises.notebook import check_object
from tinygrad_edu.exercises.result import MAX_LINE, CheckResult, Failure, cut_text

QUANTITIES = ("l2_delta", "l1_error", "l1_delta", "syn1_update", "syn0_update")
CASES = ("random", "zeros", "batch of one", "saturated sigmoid")

SIGN = Msg("sign flipped: l2_delta is -1 × the expected value",
           "符号反了：l2_delta 处处是正确值的 -1 倍")
SLOPE = Msg("your l1_delta equals l1_error * t4*(1-t4): the slope is taken at the layer's "
            "input t4; nonlin(l1, deriv=True) takes it at the output l1",
            "你的 l1_delta 等于 l1_error * t4*(1-t4)：斜率取在了这一层的输入 t4 上；"
            "nonlin(l1, deriv=True) 取的是输出 l1 处的斜率")
RAISED = Msg("your code raised an error:\n  line 3, in deltas: l1 = nonlin(l0.dot(syn0))\n"
             "ValueError: shapes (4,3) and (2,4) not aligned",
             "你的代码出错了：\n  line 3, in deltas: l1 = nonlin(l0.dot(syn0))\n"
             "ValueError: shapes (4,3) and (2,4) not aligned")


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts from an English locale and leaves the language as it found it."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    set_lang(None)
    yield
    set_lang(None)


def grid(status: dict[tuple[str, str], str] | None = None, cases: tuple[str, ...] = CASES
         ) -> list[dict[str, object]]:
    status = status or {}
    return [{"case": c, "quantity": q, "status": status.get((c, q), "pass")}
            for c in cases for q in QUANTITIES]


def failing() -> CheckResult:
    """l2_delta's sign flipped (every later quantity follows from it), plus a later l1_delta
    slope mistake, each with its own hint, and syn0_update of the wrong shape."""
    checks = grid({("random", q): "fail" for q in QUANTITIES})
    by_q = {c["quantity"]: c for c in checks if c["case"] == "random"}
    by_q["l2_delta"]["first_failure"] = True
    by_q["l2_delta"]["hint"] = SIGN
    by_q["l1_error"]["hint"] = SIGN  # the same hint as the first: not repeated
    by_q["l1_delta"]["hint"] = SLOPE
    by_q["syn1_update"]["diagnosis"] = {"kind": "slope", "hint": SLOPE}  # the same: once
    by_q["syn0_update"].update(got_shape=(4, 3), expected_shape=(3, 4))
    f = Failure("random", "l2_delta", (0, 0), 0.25, -0.25, (4, 1), (4, 1), SIGN)
    return CheckResult("iamtrask-3layer-deltas", False, checks, f,
                       oracles=("the engine's autograd", "finite differences"))


def passing() -> CheckResult:
    return CheckResult("iamtrask-3layer-deltas", True, grid(),
                       oracles=("the engine's autograd", "finite differences"))


# --------------------------------------------------------------------------- i18n


def test_and_list_in_both_languages() -> None:
    three = and_list(["random", "zeros", "batch of one"])
    assert three.text("en") == "random, zeros and batch of one"
    assert three.text("zh") == "random、zeros 和 batch of one"
    assert and_list([Msg("autograd", "自动求导"), Msg("differences", "有限差分")]).zh \
        == "自动求导和有限差分"
    assert and_list(["a"]).text("zh") == "a" and and_list([]).text("en") == ""


# --------------------------------------------------------------------------- grouping


def test_cases_with_the_same_error_share_one_message() -> None:
    other = "the dict you returned has no l1_delta"
    errors = {"random": RAISED, "zeros": RAISED, "batch of one": RAISED,
              "saturated sigmoid": other}
    r = CheckResult("iamtrask-3layer-deltas", False, grid({(c, q): "error" for c in CASES
                                                           for q in QUANTITIES}),
                    case_errors=errors)
    text = r.report(lang="en")
    assert "Cases random, zeros and batch of one could not be checked: your code raised" \
        in text
    assert text.count("ValueError: shapes (4,3) and (2,4) not aligned") == 1
    assert f"Case saturated sigmoid could not be checked: {other}" in text
    zh = r.report(lang="zh")
    assert "用例 random、zeros 和 batch of one 都无法检查：你的代码出错了" in zh
    assert zh.count("ValueError: shapes") == 1
    assert "用例 saturated sigmoid 无法检查：" in zh
    assert "could not be checked" not in zh and "Case" not in zh


def test_errors_that_differ_only_in_numbers_share_a_message() -> None:
    errors = {c: f"your code raised an error:\nIndexError: index 9 is out of bounds for "
                 f"axis 0 with size {n}" for n, c in enumerate(CASES, start=3)}
    r = CheckResult("sigmoid-derivative", False, [], case_errors=errors)
    text = r.report(lang="en")
    assert text.count("IndexError") == 1 and "with size 3" in text
    assert "Cases random, zeros, batch of one and saturated sigmoid" in text
    assert "differ only in the numbers" in text
    assert "其他用例只是数字不同" in r.report(lang="zh")


def test_each_later_hint_once_with_the_quantities_it_explains() -> None:
    text = failing().report(lang="en")
    also = [ln for ln in text.splitlines() if ln.startswith("  also: ")]
    assert also == [
        "  also: l1_delta and syn1_update (case random): " + SLOPE.en,
        "  also: syn0_update (case random): yours has shape (4, 3), expected (3, 4)",
    ], text
    assert text.count(SIGN.en) == 1  # the first failure's hint, not again for l1_error
    assert "  hint: " + SIGN.en in text


def test_notes_shown_once_and_absent_hints_tolerated() -> None:
    r = failing()
    for c in r.checks:  # checks without any hint or diagnosis, as before the diagnosis
        c.pop("hint", None)
        c.pop("diagnosis", None)
    r.failure = Failure("random", "l2_delta", (0, 0), 0.25, -0.25, (4, 1), (4, 1), None,
                        diagnosis={"kind": "sign", "hint": SIGN})
    r.notes = [Msg("l1_delta (case zeros): " + SLOPE.en, "l1_delta（用例 zeros）：" + SLOPE.zh),
               "a plain note"]
    text = r.report(lang="en")
    assert "  hint: " + SIGN.en in text  # from the diagnosis
    assert text.count(SLOPE.en) == 1 and "  also: a plain note" in text
    zh = r.report(lang="zh")
    assert "  提示：" + SIGN.zh in zh and "  另外：l1_delta（用例 zeros）：" + SLOPE.zh in zh


# --------------------------------------------------------------------------- languages


def test_failing_result_in_both_languages() -> None:
    r = failing()
    en = r.report(lang="en")
    assert en.splitlines()[0] == ("iamtrask-3layer-deltas: FAILED (15/20 checks, against "
                                  "the engine's autograd and finite differences)")
    assert "  case random: ✗ l2_delta  ✗ l1_error" in en
    assert "First wrong quantity: l2_delta (case random; the quantities before it are right)" \
        in en
    assert "  element [0, 0]: yours 0.25, expected -0.25, ratio -1" in en
    zh = r.report(lang="zh")
    assert zh.splitlines()[0] == ("iamtrask-3layer-deltas：未通过（20 项检查中 15 项通过，"
                                  "对照引擎的自动求导和有限差分）")
    assert "  用例 random：✗ l2_delta  ✗ l1_error" in zh
    assert "第一个出错的量：l2_delta（用例 random；在它之前的量都是对的）" in zh
    assert "  元素 [0, 0]：你的值 0.25，正确值 -0.25，比值 -1" in zh
    assert "  提示：" + SIGN.zh in zh and "  另外：l1_delta 和 syn1_update（用例 random）：" \
        + SLOPE.zh in zh
    assert SIGN.en not in zh and SLOPE.en not in zh


def test_passing_result_in_both_languages() -> None:
    r = passing()
    assert r.report(lang="en").splitlines()[-1] == "  every quantity matches on every case."
    assert "iamtrask-3layer-deltas: PASSED (20/20 checks" in r.report(lang="en")
    zh = r.report(lang="zh")
    assert zh.startswith("iamtrask-3layer-deltas：通过（20 项检查中 20 项通过")
    assert zh.splitlines()[-1] == "  每个用例的每个量都对。"


def test_str_and_repr_are_the_report_in_the_current_language(
        monkeypatch: pytest.MonkeyPatch) -> None:
    r = failing()
    assert repr(r) == str(r) == r.report(lang="en")
    assert "CheckResult(" not in repr(r)
    set_lang("zh")
    assert str(r).startswith("iamtrask-3layer-deltas：未通过")
    set_lang(None)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # the locale decides when set_lang has not
    assert str(r).startswith("iamtrask-3layer-deltas：未通过")
    assert json.loads(r.to_json())["lang"] == "zh"


def test_file_error_in_both_languages() -> None:
    r = CheckResult("sigmoid-derivative", False, [],
                    error=Msg("your file does not define 'slope'", "你的文件没有定义 'slope'"))
    assert r.report(lang="en") == ("✗ sigmoid-derivative: your file could not be checked\n"
                                   "  your file does not define 'slope'")
    assert r.report(lang="zh") == ("✗ sigmoid-derivative：无法检查你的文件\n"
                                   "  你的文件没有定义 'slope'")


# --------------------------------------------------------------------------- JSON


def test_json_fields_in_the_language_asked() -> None:
    r = failing()
    r.case_errors = {"saturated sigmoid": RAISED}
    r.notes = [Msg("a note", "一条说明")]
    r.checks[0]["got"] = np.float32(0.25)  # a NumPy value in a check is written as a number
    data = json.loads(r.to_json(lang="zh"))
    assert set(data) >= {"exercise", "lang", "passed", "score", "error", "case_errors",
                         "case_error_groups", "notes", "also", "checks", "failure", "oracles"}
    assert data["lang"] == "zh" and data["exercise"] == "iamtrask-3layer-deltas"
    assert data["passed"] is False and data["score"] == 0.75 and data["error"] is None
    assert data["case_errors"] == {"saturated sigmoid": RAISED.zh}
    assert data["case_error_groups"] == [{"cases": ["saturated sigmoid"], "message": RAISED.zh}]
    assert data["notes"] == ["一条说明"]
    assert data["oracles"] == ["引擎的自动求导", "有限差分"]
    assert data["checks"][0]["hint"] == SIGN.zh and data["checks"][0]["got"] == 0.25
    assert data["failure"] == {
        "case": "random", "quantity": "l2_delta", "index": [0, 0], "got": 0.25,
        "expected": -0.25, "ratio": -1.0, "got_shape": [4, 1], "expected_shape": [4, 1],
        "hint": SIGN.zh,
    }
    assert "另外" not in "".join(data["also"]) and SLOPE.zh in data["also"][0]
    assert "符号反了" in r.to_json(lang="zh")  # readable UTF-8, not \\u escapes
    en = json.loads(r.to_json(lang="en"))
    assert en["lang"] == "en" and en["failure"]["hint"] == SIGN.en
    assert en["oracles"] == ["the engine's autograd", "finite differences"]


def test_json_of_a_diagnosis() -> None:
    r = failing()
    assert r.failure is not None
    r.failure.diagnosis = {"edit": "sign", "at": ("l2_delta",), "hint": SIGN}
    data = json.loads(r.to_json(lang="en"))
    assert data["failure"]["diagnosis"] == {"edit": "sign", "at": ["l2_delta"], "hint": SIGN.en}


# --------------------------------------------------------------------------- cutting


def recursion_traceback(depth: int = 996) -> str:
    return "\n".join(["your code raised an error:",
                      *["  line 2, in f: return f(x) + " + "1" * 50] * depth,
                      "RecursionError: maximum recursion depth exceeded"])


def test_a_long_traceback_is_cut_to_a_few_lines() -> None:
    message = recursion_traceback()
    assert len(message) > 50_000
    r = CheckResult("sigmoid-derivative", False, grid(), case_errors={"random": message})
    text = r.report(lang="en")
    assert len(text) < 3_000
    assert "RecursionError: maximum recursion depth exceeded" in text
    assert "(the same line 996 times)" in text
    assert "同一行重复了 996 次" in r.report(lang="zh")
    data = json.loads(r.to_json(lang="en"))
    assert len(data["case_errors"]["random"]) < 1_000


def test_many_different_lines_keep_the_first_and_the_last() -> None:
    message = "\n".join(f"  line {i}, in f{i}: g{i}()" for i in range(500)) + "\nKeyError: 'x'"
    text = cut_text(message, lang="en")
    lines = text.splitlines()
    assert len(lines) <= 8
    assert lines[0] == "  line 0, in f0: g0()" and lines[-1] == "KeyError: 'x'"
    assert "lines left out" in text


def test_no_report_line_is_over_the_limit() -> None:
    huge = "ValueError: " + "x" * 100_000
    r = failing()
    r.case_errors = {"saturated sigmoid": huge}
    r.error = None
    assert r.failure is not None
    r.failure.hint = "h" * 5_000
    for lang in ("en", "zh"):
        lines = r.report(lang=lang).splitlines()
        assert max(len(ln) for ln in lines) <= MAX_LINE
        assert any(ln.endswith("…") for ln in lines)
    file_error = CheckResult("sigmoid-derivative", False, [], error=huge)
    assert max(len(ln) for ln in file_error.report().splitlines()) <= MAX_LINE


# --------------------------------------------------------------------------- end to end


def test_a_real_exercise_groups_its_errors() -> None:
    """sigmoid-derivative with an answer that raises on the cases with more than one row:
    one message for those cases, the others checked."""
    ex = EXERCISES["sigmoid-derivative"]

    def slope(out: np.ndarray) -> np.ndarray:
        if out.ndim > 1 and len(out) > 1:
            raise ValueError("only one row, please")
        return out * (1 - out)

    r = check_object(ex, slope)
    raised = [c.label for c in ex.cases()
              if np.ndim(c.inputs["out"]) > 1 and len(c.inputs["out"]) > 1]
    assert raised and sorted(r.case_errors) == sorted(raised)
    text = r.report(lang="en")
    assert text.count("ValueError: only one row, please") == 1
    assert f"{and_list(raised).en} could not be checked" in text
    same = check_values(ex, {c.label: {"slope": c.inputs["out"] * (1 - c.inputs["out"])}
                             for c in ex.cases()})
    assert same.passed and "ValueError" not in same.report()


def test_case_labels_in_chinese_where_the_catalogue_has_them() -> None:
    r = failing()
    r.case_titles = {"random": Msg("random", "随机"), "zeros": Msg("zeros", "全零")}
    r.case_errors = {"zeros": RAISED}
    zh = r.report(lang="zh")
    assert "  用例 随机：✗ l2_delta" in zh and "  用例 batch of one：" in zh
    assert "第一个出错的量：l2_delta（用例 随机；" in zh and "用例 全零 无法检查：" in zh
    assert "（用例 随机）：" + SLOPE.zh in zh
    en = r.report(lang="en")
    assert "  case random: ✗ l2_delta" in en and "随机" not in en
    data = json.loads(r.to_json(lang="zh"))
    assert data["case_titles"]["random"] == "随机" and data["checks"][0]["case"] == "random"


@dataclasses.dataclass(frozen=True)
class HintWithFinding(Msg):
    """As the diagnosis gives its hints: a Msg carrying the finding behind it."""

    diagnosis: dict[str, object] | None = dataclasses.field(default=None, compare=False)


def test_a_hint_carrying_its_diagnosis_gives_it_to_the_json() -> None:
    r = failing()
    hint = HintWithFinding(SIGN.en, SIGN.zh, diagnosis={"kind": "local_sign", "cases": ["random"]})
    assert r.failure is not None
    r.failure.hint = hint
    r.checks[0]["hint"] = hint
    data = json.loads(r.to_json(lang="zh"))
    assert data["failure"]["hint"] == SIGN.zh
    assert data["failure"]["diagnosis"] == {"kind": "local_sign", "cases": ["random"]}
    assert data["checks"][0]["diagnosis"] == {"kind": "local_sign", "cases": ["random"]}
    assert "  hint: " + SIGN.en in r.report(lang="en")


def test_many_later_hints_are_capped_in_the_report_not_in_the_json() -> None:
    quantities = [f"q{i}" for i in range(12)]
    checks: list[dict[str, object]] = [
        {"case": "random", "quantity": q, "status": "fail",
         "hint": Msg(f"hint number {i}", f"第 {i} 条提示")} for i, q in enumerate(quantities)]
    checks[0]["first_failure"] = True
    f = Failure("random", "q0", (0,), 1.0, 2.0, (3,), (3,), Msg("hint number 0", "第 0 条提示"))
    r = CheckResult("some-exercise", False, checks, f)
    also = [ln for ln in r.report(lang="en").splitlines() if ln.startswith("  also: ")]
    assert len(also) == 8 and also[-1].startswith("  also: 4 more wrong quantities")
    assert len(json.loads(r.to_json(lang="en"))["also"]) == 11


def test_the_first_quantitys_shape_is_not_repeated_for_later_cases() -> None:
    checks = grid({(c, "syn1_update"): "fail" for c in CASES})
    for c in checks:
        if c["quantity"] == "syn1_update":
            c.update(got_shape=(1, 4), expected_shape=(4, 1), hint=Msg("transposed", "转置了"))
    checks[3]["first_failure"] = True
    f = Failure("random", "syn1_update", None, None, None, (1, 4), (4, 1),
                Msg("transposed", "转置了"))
    text = CheckResult("iamtrask-3layer-deltas", False, checks, f).report(lang="en")
    assert "  shape: yours (1, 4), expected (4, 1)\n  hint: transposed" in text
    assert "also:" not in text and text.count("(1, 4)") == 1


def test_a_later_hint_repeated_per_case_with_other_numbers_is_said_once() -> None:
    checks = grid({(c, "l1_delta"): "fail" for c in CASES})
    for i, c in enumerate(checks):
        if c["quantity"] == "l1_delta":
            c["hint"] = Msg(f"divided by the batch size {i}", f"除以了批大小 {i}")
    f = Failure("random", "l2_delta", (0,), 1.0, 2.0, (3,), (3,), SIGN)
    also = [ln for ln in CheckResult("iamtrask-3layer-deltas", False, checks, f).report(
        lang="en").splitlines() if "also:" in ln]
    assert also == ["  also: l1_delta (case random): divided by the batch size 2"]


def test_a_msg_reads_like_the_string_it_replaced() -> None:
    m = Msg("Syntax error in your file\nline 2", "你的文件有语法错误\n第 2 行")
    assert "Syntax error" in m and m.lower().startswith("syntax") and len(m) == 32
    assert m.splitlines() == ["Syntax error in your file", "line 2"]
    set_lang("zh")
    assert "语法错误" in m and m.splitlines()[1] == "第 2 行"
    assert bool(Msg("", "只有中文")) and not Msg("", "")
    with pytest.raises(AttributeError, match="no attribute 'diagnosis'"):
        m.diagnosis  # noqa: B018


def test_quantities_wrong_through_the_first_mistake_share_one_line() -> None:
    # document 001's slope taken at the pre-activation: l2_delta is wrong, and every quantity
    # computed from it is wrong through the same edit: one line names them, not one each
    import numpy as _np

    def nonlin(x: np.ndarray, deriv: bool = False) -> np.ndarray:
        return x * (1 - x) if deriv else 1 / (1 + _np.exp(-x))

    def deltas(l0: np.ndarray, y: np.ndarray, syn0: np.ndarray, syn1: np.ndarray) -> tuple:
        l1 = nonlin(l0.dot(syn0))
        l2 = nonlin(l1.dot(syn1))
        l2_delta = (y - l2) * nonlin(l1.dot(syn1), deriv=True)
        l1_error = l2_delta.dot(syn1.T)
        l1_delta = l1_error * nonlin(l1, deriv=True)
        return l2_delta, l1_error, l1_delta, l1.T.dot(l2_delta), l0.T.dot(l1_delta)

    with np.errstate(all="ignore"):
        r = check_object(EXERCISES["iamtrask-3layer-deltas"], deltas)
    assert r.failure is not None and r.failure.quantity == "l2_delta"
    also = [ln for ln in r.report(lang="en").splitlines() if ln.startswith("  also:")]
    assert also == ["  also: l1_error, l1_delta, syn1_update and syn0_update are wrong through "
                    "the same mistake (computed from your l2_delta)"]
    also_zh = [ln for ln in r.report(lang="zh").splitlines() if ln.startswith("  另外")]
    assert also_zh == ["  另外：l1_error、l1_delta、syn1_update 和 syn0_update 也因同一个错误而出错"
                       "（它们由你的 l2_delta 算出）"]
