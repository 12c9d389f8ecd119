"""Grading a folder: one trusted process per submission, several at once, resumable.

``grade_batch`` writes ``OUT/grades.csv`` (one row per file, whatever happens to it),
``OUT/feedback/<student>.txt``, ``OUT/results/<student>.json`` and ``OUT/logs/<student>.log``,
and for an assignment with written questions ``OUT/by-hand/<student>.md`` (its answers beside
the rubric, to mark by hand; the CSV's ``to_mark_by_hand`` names them).
Each job slot has a trusted child process (``python -m featuremaps.grading serve``) that
grades one submission after another, each by driving a sandboxed student process
(:mod:`featuremaps.grading.runner`).
The batch itself never runs student code and reads only what its trusted children write.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from featuremaps.grading import report, submissions, written
from featuremaps.grading.box import Box
from featuremaps.grading.common import (
    DIST_DIR,
    DONE,
    GRADING_ENV,
    LOG_LIMIT,
    TRUSTED_MEMORY,
    GradingError,
    Options,
    natural,
    write_atomic,
)
from featuremaps.grading.sandbox import choose_mode, kill_group


@dataclass
class Autograder:
    """One generated assignment: its autograder zip, student copy and questions with their points.

    ``points`` holds the autograded questions; ``by_hand``, the written ones (points, prompt,
    rubric), which the tests never score.
    """

    name: str
    zip_path: Path | None
    template: Path | None
    points: dict[str, float] = field(default_factory=dict)
    by_hand: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, name: str, dist: Path | str = DIST_DIR) -> Autograder:
        dist = Path(dist)
        zip_path = dist / "autograder" / f"{name}.zip"
        if not zip_path.exists():
            known = ", ".join(available_assignments(dist)) or "none"
            raise GradingError(f"no autograder for assignment {name!r} in {dist / 'autograder'} (there are: "
                               f"{known}); run `make assignments` first")
        template = dist / "student" / f"{name}.ipynb"
        return cls(name, zip_path, template if template.exists() else None, question_points(zip_path),
                   written.load_rubrics(dist, name))


def question_points(zip_path: Path) -> dict[str, float]:
    from featuremaps.grading.runner import load_tests

    return {q: float(t.possible) for q, t in load_tests(zip_path).items()}


def available_assignments(dist: Path | str = DIST_DIR) -> list[str]:
    return sorted(p.stem for p in (Path(dist) / "autograder").glob("*.zip"))




class TrustedRunner:
    """A trusted process that grades one submission after another for one job slot.

    It loads the tests' libraries (Keras, otter) once, not once per submission. It runs no
    student code itself: each submission's notebook runs in a sandboxed process it starts.
    If it hangs or dies, it is killed and replaced, and that submission gets a row saying so.
    """

    def __init__(self, slot: int, options: Options):
        self.slot, self.options, self.process, self.lines = slot, options, None, None
        self.tmp = tempfile.mkdtemp(prefix="featuremaps-grade-")  # 0700: ours alone
        # Its own memory cap: what a notebook sends it cannot take the machine (students' boxes are apart).
        self.box, self.isolation = Box.make(f"trusted{slot}", TRUSTED_MEMORY, cpus=None, processes=4096)
        self.kills = 0

    def _start(self) -> None:
        command = [sys.executable, "-m", "featuremaps.grading", "serve", "--slot", str(self.slot),
                   *self.options.arguments()]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, errors="replace", cwd=self.tmp,
                                        env={**os.environ, **GRADING_ENV}, start_new_session=True,
                                        preexec_fn=self.box.join if self.box else None)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True).start()

    @staticmethod
    def _read(pipe, lines: queue.Queue) -> None:
        for line in pipe:
            lines.put(line)
        lines.put(None)

    def stop(self) -> None:
        if self.process is not None:
            kill_group(self.process)
            self.process = None

    def grade(self, path: Path, grader: Autograder) -> tuple[dict, str]:
        """(result, log) of one submission."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        out, progress = Path(self.tmp) / "result.json", Path(self.tmp) / "progress.json"
        out.unlink(missing_ok=True)
        progress.unlink(missing_ok=True)
        job = {"submission": str(path.resolve()), "assignment": grader.name, "json": str(out),
               "progress": str(progress),
               "autograder": str(Path(grader.zip_path).resolve()),
               "template": str(Path(grader.template).resolve()) if grader.template else None}
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        log, size, deadline = [], 0, time.monotonic() + self.options.timeout + 120
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:  # the runner keeps its own limit; this is a backstop
                self.stop()
                return self._failed(f"the trusted grading process took longer than {self.options.timeout + 120:g} "
                                    "s and was stopped", progress, "timeout"), "".join(log)
            if line is None or line.strip() == DONE:
                break
            if size < LOG_LIMIT:
                log.append(line)
                size += len(line)
        if out.exists():
            result = json.loads(out.read_text())
            return result, result.pop("log", "") + "".join(log)
        self.stop()
        last = [entry for entry in log if entry.strip()]
        why = last[-1].strip()[:300] if last else "it ended without a result"
        if self.box is not None and self.box.oom_kills() > self.kills:
            self.kills = self.box.oom_kills()
            why = (f"it went past its memory cap of {TRUSTED_MEMORY / 2**30:g} GiB on this submission (a value "
                   "from the notebook too large to check?); the other rows are not affected")
        return self._failed(f"the grading process failed: {why}", progress), "".join(log)

    @staticmethod
    def _failed(why: str, progress: Path, status: str = "error") -> dict:
        """The row of a submission whose trusted process failed: the questions it had graded keep their points."""
        try:
            result = json.loads(progress.read_text())
        except (OSError, ValueError):
            return {"status": status, "error": why}
        graded = ", ".join(sorted(result.get("questions", {}), key=natural))
        rest = "running the batch again grades the rest" if status == "error" else "the rest score 0"
        result.update(status=status, error=f"{why}, after grading {graded}: those keep their points; {rest}")
        return result


def grade_batch(folder: Path | str, out: Path | str | None = None, assignment: str | None = None,
                dist: Path | str = DIST_DIR, options: Options | None = None, echo=print,
                jobs: int | None = None) -> Path:
    """Grade every file in ``folder``; write ``out/grades.csv`` and ``out/feedback/<student>.txt``.

    ``jobs`` submissions are graded at once (default: the number of cores). Run again on the
    same folder, it keeps the rows of submissions already graded (same file, same autograder,
    same limits) and grades the rest, rows the grader failed on (status error) included.
    Returns the CSV path.
    """
    options = options or Options()
    choose_mode(options.sandbox)  # refuse now, with the reason, rather than once per submission
    jobs = jobs or os.cpu_count() or 1
    folder, dist = Path(folder).resolve(), Path(dist).resolve()  # relative paths work from any folder
    out = Path(out).resolve() if out else folder.with_name(folder.name + "-graded")
    known = available_assignments(dist)
    if assignment is not None and assignment not in known:
        raise GradingError(f"unknown assignment {assignment!r}; generated ones: {', '.join(known) or 'none'} "
                           "(run `make assignments` first)")
    if not known:
        raise GradingError(f"no autograders in {Path(dist) / 'autograder'}: run `make assignments` first")
    files = submissions.submission_files(folder)
    for sub in ("feedback", "results", "logs", "by-hand"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    plan = []
    for path in files:
        nb, problem = submissions.examine(path)
        plan.append([path, nb, problem, *submissions.guess_assignment(path, nb, known)])
    # With --assignment, another assignment's notebook is refused; without, each is graded as what it
    # is, and a row unlike the folder's most common assignment says so (its question columns differ).
    common = assignment or _most_common([name for _, _, _, name, _ in plan if name])
    flags = {}
    for item in plan:
        path, nb, problem, name, how = item
        if assignment and name and name != assignment and not problem:
            item[2] = (f"wrong assignment: this is {name} (its {how} says so), but the batch grades {assignment}; "
                       "hand in the right notebook, or grade it with --assignment")
        elif common and name and name != common:
            flags[path] = f"another assignment: this is {name} (its {how} says so), most of this folder is {common}"
        item[3] = assignment or name or common
    graders = {name: Autograder.load(name, dist) for _, _, _, name, _ in plan if name}
    questions = sorted({q for g in graders.values() for q in g.points}, key=natural)
    columns = ["student", "file", "assignment", "status", "score", "possible", *questions, "to_mark_by_hand", "seconds",
               "reason"]
    csv_path = out / "grades.csv"
    ids = submissions.student_ids([item[0] for item in plan], folder)
    rows: list[dict | None] = [None] * len(plan)
    todo = []
    for index, ((path, _nb, problem, name, _how), student) in enumerate(zip(plan, ids, strict=True)):
        key = _grading_key(path, graders.get(name), options)
        done = _finished_row(out / "results" / f"{student}.json", key)
        if done is not None:  # graded by an earlier, interrupted run of this batch: kept as it was
            rows[index] = done
        else:
            todo.append((index, path, problem, name, student, key))
    if len(todo) < len(plan):
        echo(f"resuming: {len(plan) - len(todo)} of {len(plan)} already graded, {len(todo)} to go")

    runners: queue.Queue = queue.Queue()
    for slot in range(max(1, jobs)):
        runners.put(TrustedRunner(slot, options))

    def grade(item):
        index, path, problem, name, student, key = item
        grader = graders.get(name)
        start = time.perf_counter()
        log = ""
        try:
            if problem:
                result = {"status": "not graded", "error": problem}
            elif grader is None:
                result = {"status": "not graded", "error": "cannot tell which assignment this is (no otter "
                          "metadata and no assignment number in the file name); pass --assignment"}
            else:
                runner = runners.get()
                try:
                    result, log = runner.grade(path, grader)
                finally:
                    runners.put(runner)
        except Exception as exc:  # the batch goes on whatever one submission does
            result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        result.setdefault("assignment", name)
        if path in flags:
            result["notes"] = [flags[path], *result.get("notes", [])]
        seconds = time.perf_counter() - start
        scores = {q: info["score"] for q, info in result.get("questions", {}).items()}
        points = grader.points if grader else {}
        row = {"student": student, "file": str(path.relative_to(folder)), "assignment": name or "",
               "status": result.get("status", "error"), "score": round(sum(scores.values()), 3),
               "possible": sum(points.values()), "seconds": round(seconds, 1),
               "reason": report.reason(result, points), "to_mark_by_hand": ""}
        for q in questions:
            row[q] = round(scores.get(q, 0.0), 3) if q in points else ""
        feedback = report.feedback_text(path.name, result, points)
        if grader is not None and grader.by_hand and result.get("status") in ("graded", "timeout"):
            row["to_mark_by_hand"] = written.to_mark(grader.by_hand)
            feedback += written.feedback_lines(grader.by_hand)
            write_atomic(out / "by-hand" / f"{student}.md", _hand_marking(path, student, grader))
        write_atomic(out / "feedback" / f"{student}.txt", feedback)
        write_atomic(out / "logs" / f"{student}.log", log)
        # Last: a result file with its key and row is what marks this submission done for a resumed run.
        write_atomic(out / "results" / f"{student}.json",
                     json.dumps({**result, "batch": {"key": key, "row": row}}, indent=1, ensure_ascii=False))
        return index, row

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each job has a trusted runner of its own
            for finished, future in enumerate(as_completed([pool.submit(grade, item) for item in todo]), 1):
                index, row = future.result()
                rows[index] = row
                write_atomic(csv_path, _csv_text(columns, [r for r in rows if r]))  # a stopped batch keeps its rows
                left = (time.perf_counter() - start) / finished * (len(todo) - finished)
                echo(f"[{finished}/{len(todo)}] {row['student']}: {row['status']} {row['score']:g}/"
                     f"{row['possible']:g} ({row['seconds']:.1f} s; about {left / 60:.0f} min left) "
                     f"{row['reason'][:120]}")
    finally:
        while not runners.empty():
            runner = runners.get()
            runner.stop()
            if runner.box is not None:
                peak = runner.box.peak_memory()
                if peak:  # a runner that graded something (a batch of unreadable files starts none)
                    echo(f"trusted runner {runner.slot}: peak memory {peak / 2**30:.2f} GiB "
                         f"(its cap: {TRUSTED_MEMORY / 2**30:g} GiB)")
                runner.box.remove()
            shutil.rmtree(runner.tmp, ignore_errors=True)
    if not any(rows):
        write_atomic(csv_path, _csv_text(columns, []))
    return csv_path


def _hand_marking(path: Path, student: str, grader: Autograder) -> str:
    """The instructor's sheet for a submission's written answers (read as text, never run)."""
    try:
        answers = written.written_answers(submissions.read_submission(path), list(grader.by_hand))
    except GradingError:
        answers = {}
    return written.hand_marking_text(student, grader.name, grader.by_hand, answers)


def _most_common(names: list[str]) -> str | None:
    return max(sorted(set(names)), key=names.count) if names else None


def _grading_key(path: Path, grader: Autograder | None, options: Options) -> str:
    """What a row depends on: the file, the autograder, the options. A resumed batch reuses equal keys."""
    digest = hashlib.sha256(path.read_bytes())
    if grader is not None and grader.zip_path is not None:
        digest.update(Path(grader.zip_path).read_bytes())
        digest.update(json.dumps(grader.by_hand, sort_keys=True).encode())
    digest.update(repr(sorted(vars(options).items())).encode())
    return digest.hexdigest()


def _finished_row(result_file: Path, key: str) -> dict | None:
    try:
        batch = json.loads(result_file.read_text()).get("batch", {})
    except (OSError, ValueError, AttributeError):
        return None
    row = batch.get("row") if batch.get("key") == key else None
    # An error is the grader's trouble (a sandbox that did not start, a crash): a run again retries it.
    return row if isinstance(row, dict) and row.get("status") != "error" else None


def _csv_text(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
