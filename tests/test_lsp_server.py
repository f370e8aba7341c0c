"""End to end: the real `tflint-gesture --lsp` in a subprocess (this checkout first on PYTHONPATH),
driven by pytest-lsp's client as an editor would drive it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")
import pytest_asyncio  # noqa: E402
from lsprotocol import types  # noqa: E402
from pygls.exceptions import JsonRpcException  # noqa: E402

from helpers import REPO_ROOT, checkout_env, run_cli  # noqa: E402

BUGGY = textwrap.dedent("""\
    import numpy as np
    from tensorflow import keras

    x = np.random.rand(200, 63) / 255.0
    y = np.random.randint(0, 2, size=(200,))
    model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(lr=3e-4), loss="binary_crossentropy")
    model.fit(x, y, epochs=3, validation_split=0.2)
    """)
WAIT = 60  # seconds before a wait is a hang, not a slow machine


def server_env() -> dict:
    return checkout_env({"TFLINT_GESTURE_LSP_DEBOUNCE": "0.05"})


async def start(cwd: Path, capabilities: str = "visual-studio-code"):
    client = pytest_lsp.make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "tflint_gesture", "--lsp", env=server_env(), cwd=str(cwd))
    await client.initialize_session(types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities(capabilities), root_uri=cwd.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=cwd.as_uri(), name="project")]))
    return client


@pytest_asyncio.fixture
async def client(tmp_path):
    client = await start(tmp_path)
    yield client
    await client.shutdown_session()
    await client.stop()


async def diagnostics_where(client, uri: str, predicate) -> list:
    """Wait until the diagnostics last published for `uri` satisfy `predicate`."""
    async def wait():
        while True:
            found = client.diagnostics.get(uri)
            if found is not None and predicate(found):
                return list(found)
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(wait(), WAIT)


def codes(diagnostics) -> list[str]:
    return sorted(d.code for d in diagnostics)


def open_file(client, path: Path, text: str, version: int = 1) -> str:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
    return uri


def change(client, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def apply(text: str, edit: types.TextEdit) -> str:
    """Apply one edit to ASCII text (character = code point = UTF-16 unit)."""
    lines = text.splitlines(keepends=True) + [""]
    offset = lambda p: sum(len(l) for l in lines[: p.line]) + p.character  # noqa: E731
    return text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]


def only_edit(action: types.CodeAction) -> types.TextEdit:
    (change_,) = action.edit.document_changes
    (edit,) = change_.edits
    return edit


@pytest.mark.asyncio
async def test_buggy_script_fix_action_removes_the_diagnostic(client, tmp_path):
    uri = open_file(client, tmp_path / "train.py", BUGGY)
    found = await diagnostics_where(client, uri, lambda d: "TFG602" in codes(d))
    lr = next(d for d in found if d.code == "TFG602")
    assert lr.range.start.line == 6  # `lr=` on line 7, 0-based 6
    assert lr.severity == types.DiagnosticSeverity.Error
    assert lr.code_description.href.endswith("/rules/TFG602.md")
    assert lr.source == "tflint-gesture"

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=lr.range,
        context=types.CodeActionContext(diagnostics=[lr])))
    titles = [a.title for a in actions]
    fix = next(a for a in actions if a.title.startswith("Fix TFG602"))
    assert any("# noqa: TFG602" in t for t in titles), titles
    assert fix.is_preferred and fix.edit is None  # VS Code resolves the edit lazily
    fix = await client.code_action_resolve_async(fix)
    fixed = apply(BUGGY, only_edit(fix))
    assert "Adam(learning_rate=3e-4)" in fixed and fixed.count("\n") == BUGGY.count("\n")

    change(client, uri, fixed, 2)
    after = await diagnostics_where(client, uri, lambda d: "TFG602" not in codes(d))
    assert "TFG602" not in codes(after)


@pytest.mark.asyncio
async def test_client_without_resolve_gets_edits_at_once_in_its_position_encoding(tmp_path):
    client = await start(tmp_path, capabilities="emacs")  # eglot: no codeAction/resolve, prefers UTF-32
    try:
        source = "# entraînement\n" + BUGGY.replace("Adam(lr=", 'Adam(name="😋", lr=')
        uri = open_file(client, tmp_path / "train.py", source)
        found = await diagnostics_where(client, uri, lambda d: "TFG602" in codes(d))
        lr = next(d for d in found if d.code == "TFG602")
        line = source.splitlines()[7]
        assert (lr.range.start.line, lr.range.start.character) == (7, line.index("lr="))  # code points: UTF-32
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=lr.range,
            context=types.CodeActionContext(diagnostics=[lr])))
        fix = next(a for a in actions if a.title.startswith("Fix TFG602"))
        edit = only_edit(fix)  # already there: this client cannot resolve
        assert edit.range.start.line == 7 and "learning_rate=3e-4" in edit.new_text
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_noqa_action_silences_the_finding(client, tmp_path):
    uri = open_file(client, tmp_path / "train.py", BUGGY)
    found = await diagnostics_where(client, uri, lambda d: "TFG602" in codes(d))
    lr = next(d for d in found if d.code == "TFG602")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=lr.range,
        context=types.CodeActionContext(diagnostics=[lr])))
    noqa = next(a for a in actions if "noqa" in a.title)
    silenced = apply(BUGGY, only_edit(noqa))
    assert "loss=\"binary_crossentropy\")  # noqa: TFG602\n" in silenced
    change(client, uri, silenced, 2)
    after = await diagnostics_where(client, uri, lambda d: "TFG602" not in codes(d))
    assert after == [] or "TFG602" not in codes(after)


@pytest.mark.asyncio
async def test_unsafe_fix_is_labelled_and_fix_all_applies_only_safe_fixes(client, tmp_path):
    source = BUGGY.replace('activation="sigmoid"', 'activation="softmax"').replace(
        'loss="binary_crossentropy"', 'loss="categorical_crossentropy"')
    uri = open_file(client, tmp_path / "train.py", source)
    found = await diagnostics_where(client, uri, lambda d: "TFG602" in codes(d))
    head = [d for d in found if d.code == "TFG201"]
    assert head, codes(found)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=head[0].range,
        context=types.CodeActionContext(diagnostics=head)))
    fix = next(a for a in actions if a.title.startswith("Fix TFG201"))
    assert "unsafe" in fix.title and not fix.is_preferred

    every = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll])))
    (fix_all,) = every
    fix_all = await client.code_action_resolve_async(fix_all)
    fixed = apply(source, only_edit(fix_all))
    assert "learning_rate=3e-4" in fixed
    assert 'activation="softmax"' in fixed  # the unsafe head fix is not part of "fix all"


@pytest.mark.asyncio
async def test_hover_shows_the_rule_page(client, tmp_path):
    uri = open_file(client, tmp_path / "train.py", BUGGY)
    found = await diagnostics_where(client, uri, lambda d: "TFG602" in codes(d))
    lr = next(d for d in found if d.code == "TFG602")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=lr.range.start))
    page = (REPO_ROOT / "rules" / "TFG602.md").read_text(encoding="utf-8").strip()
    assert page.splitlines()[0] in hover.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=3)))
    assert nothing is None


@pytest.mark.asyncio
async def test_broken_file_gets_one_tfg001_and_the_server_goes_on(client, tmp_path):
    uri = open_file(client, tmp_path / "broken.py", "def f(:\n    pass\n")
    found = await diagnostics_where(client, uri, lambda d: len(d) > 0)
    assert codes(found) == ["TFG001"]
    assert found[0].range.start.line == 0
    good = open_file(client, tmp_path / "train.py", BUGGY)
    assert "TFG602" in codes(await diagnostics_where(client, good, lambda d: "TFG602" in codes(d)))


@pytest.mark.asyncio
async def test_unsaved_buffer_and_configuration_of_the_nearest_pyproject(client, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tflint-gesture]\nignore = ["TFG602"]\n', encoding="utf-8")
    path = tmp_path / "train.py"
    uri = open_file(client, path, BUGGY.replace("Adam(lr=3e-4)", "Adam(learning_rate=3e-4)"))
    await diagnostics_where(client, uri, lambda d: True)
    # the buffer is edited, not saved: the disk still has the clean text
    change(client, uri, BUGGY.replace('activation="sigmoid"', 'activation="softmax"'), 2)
    found = await diagnostics_where(client, uri, lambda d: "TFG201" in codes(d))
    assert "TFG602" not in codes(found)  # ignored by the pyproject.toml next to the file
    assert "Adam(lr=" not in path.read_text(encoding="utf-8")


@pytest.mark.asyncio
async def test_a_bug_placed_in_an_imported_module_is_shown_on_that_file(client, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "fixtures" / "project_sign_mnist", project)
    train = project / "signs" / "train.py"
    model_uri = (project / "signs" / "model.py").as_uri()
    uri = open_file(client, train, train.read_text(encoding="utf-8"))
    found = await diagnostics_where(client, model_uri, lambda d: "TFG203" in codes(d))
    assert codes(found) == ["TFG203"]  # model.py is not even open: the lint of train.py put it there
    assert list(client.diagnostics.get(uri)) == []  # train.py itself is clean

    # the imported config is fixed and saved in the editor: every open document is checked again,
    # reading the project's modules from disk
    config = project / "signs" / "config.py"
    fixed = config.read_text(encoding="utf-8").replace("NUM_LETTERS = 24", "NUM_LETTERS = 25")
    config_uri = open_file(client, config, fixed)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=config_uri)))
    await diagnostics_where(client, model_uri, lambda d: "TFG203" not in codes(d))
    config.write_text(config.read_text(encoding="utf-8").replace("= 25", "= 24"), encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=config_uri)))
    await diagnostics_where(client, model_uri, lambda d: "TFG203" in codes(d))
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await diagnostics_where(client, model_uri, lambda d: len(d) == 0)  # closed: what it put there goes


@pytest.mark.asyncio
async def test_notebook_document_diagnostics_land_on_their_cells(client, tmp_path):
    notebook_uri = (tmp_path / "explore.ipynb").as_uri()
    cells = [
        (types.NotebookCellKind.Code, "import numpy as np\nfrom tensorflow import keras\n%matplotlib inline\n"),
        (types.NotebookCellKind.Markup, "# Training\nmodel.fit(...) explained"),
        (types.NotebookCellKind.Code, BUGGY.split("\n", 2)[2]),
    ]
    items = [types.TextDocumentItem(uri=f"vscode-notebook-cell:{tmp_path}/explore.ipynb#cell{i}",
                                    language_id="python" if kind == types.NotebookCellKind.Code else "markdown",
                                    version=1, text=text) for i, (kind, text) in enumerate(cells)]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=notebook_uri, notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=kind, document=item.uri) for (kind, _), item in zip(cells, items)]),
        cell_text_documents=items))
    third = items[2].uri
    found = await diagnostics_where(client, third, lambda d: "TFG602" in codes(d))
    lr = next(d for d in found if d.code == "TFG602")
    assert lr.range.start.line == 4  # line 5 of the third cell (line 7 of the script without its 2 imports)
    assert items[0].uri not in client.diagnostics or not client.diagnostics[items[0].uri]

    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=third), position=lr.range.start))
    assert "TFG602" in hover.contents.value

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=third), range=lr.range,
        context=types.CodeActionContext(diagnostics=[lr])))
    fix = await client.code_action_resolve_async(next(a for a in actions if a.title.startswith("Fix TFG602")))
    (cell_edit,) = fix.edit.document_changes
    assert cell_edit.text_document.uri == third  # the edit goes to the cell, in the cell's own lines
    (edit,) = cell_edit.edits
    fixed = apply(cells[2][1], edit)
    assert fixed == cells[2][1].replace("lr=", "learning_rate=")
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=notebook_uri, version=2),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=third, version=2),
                changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)])]))))
    after = await diagnostics_where(client, third, lambda d: "TFG602" not in codes(d))
    assert "TFG602" not in codes(after)


@pytest.mark.asyncio
async def test_typing_in_a_large_file_ends_with_the_findings_of_the_last_version(client, tmp_path):
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    from bench_lsp import large_script

    text = large_script(500)
    uri = open_file(client, tmp_path / "big.py", text)
    await diagnostics_where(client, uri, lambda d: "TFG602" in codes(d))
    # a burst of keystrokes: each version appends to a comment; only the last one matters
    version = 1
    for i in range(12):
        version += 1
        text = text.replace("# tuning notes", f"# tuning notes {i}", 1) if i == 0 else text.replace(
            f"# tuning notes {i - 1}", f"# tuning notes {i}", 1)
        change(client, uri, text, version)
        await asyncio.sleep(0.01)
    final = text.replace("lr=", "learning_rate=")
    change(client, uri, final, version + 1)
    from tflint_gesture.engine import check_text

    expected = sorted(f.code for f in check_text(str(tmp_path / "big.py"), final))
    assert expected and "TFG602" not in expected  # the final text still has findings: the lint is not empty
    after = await diagnostics_where(client, uri, lambda d: codes(d) == expected)
    assert codes(after) == expected  # exactly the CLI engine's findings for the last version


@pytest.mark.asyncio
async def test_malformed_requests_are_answered_and_the_server_survives(client, tmp_path):
    uri = open_file(client, tmp_path / "train.py", BUGGY)
    await diagnostics_where(client, uri, lambda d: "TFG602" in codes(d))
    answers = {}
    for msg_id in (900, 901):  # let the client match the raw requests' answers
        answers[msg_id] = client.protocol._request_futures[msg_id] = concurrent.futures.Future()
    writer = client.protocol.writer
    for body in (b'{"jsonrpc": "2.0", "id": 900, "method": "textDocument/hover", "params": {"textDocument": 3}}',
                 b'{"jsonrpc": "2.0", "id": 901, "method": "no/such/method", "params": {}}',
                 b"this is not json", b"[1, 2, 3]", b'{"jsonrpc": "2.0", "method": "textDocument/didOpen"}'):
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    for msg_id, future in answers.items():  # each malformed request gets an error response, not silence
        with pytest.raises(JsonRpcException):
            await asyncio.wait_for(asyncio.wrap_future(future), WAIT)
    far = await client.text_document_hover_async(types.HoverParams(  # a position past the end of the file
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=9999, character=9999)))
    assert far is None
    nowhere = await client.text_document_code_action_async(types.CodeActionParams(  # a document never opened
        text_document=types.TextDocumentIdentifier(uri=(tmp_path / "missing.py").as_uri()),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[])))
    assert not nowhere
    with pytest.raises(JsonRpcException):  # a command without its argument: an error, not a crash
        await asyncio.wait_for(client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="tflint-gesture.dryRun", arguments=[])), WAIT)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=6, character=50)))
    assert hover is not None and "TFG602" in hover.contents.value


@pytest.mark.asyncio
async def test_server_exits_when_the_client_disconnects(tmp_path):
    client = await start(tmp_path)
    uri = open_file(client, tmp_path / "train.py", BUGGY)
    await diagnostics_where(client, uri, lambda d: "TFG602" in codes(d))
    process = client._server
    change(client, uri, BUGGY + "# more\n", 2)  # a lint is scheduled or running when the editor goes
    await asyncio.sleep(0.1)
    process.stdin.close()  # the editor went away without shutdown/exit
    code = await asyncio.wait_for(process.wait(), WAIT)
    assert code == 0
    await client.stop()


def test_without_pygls_the_flag_says_how_to_install_and_exits_2(tmp_path):
    runner = ("import importlib.util, sys; real = importlib.util.find_spec\n"
              "importlib.util.find_spec = lambda n, *a: None if n == 'pygls' else real(n, *a)\n"
              "sys.argv = ['tflint-gesture', '--lsp']\n"
              "from tflint_gesture.cli import main\nmain()\n")
    proc = run_cli(cwd=tmp_path, code=runner, timeout=60, input="")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tflint-gesture: ") and "tflint-gesture[lsp]" in lines[0]


@pytest.mark.tensorflow
@pytest.mark.slow
@pytest.mark.asyncio
async def test_dry_run_command_confirms_findings_only_when_asked(client, tmp_path):
    pytest.importorskip("tensorflow")
    source = BUGGY.replace('activation="sigmoid"', 'activation="softmax"').replace("Adam(lr=3e-4)",
                                                                                   "Adam(learning_rate=3e-4)")
    uri = open_file(client, tmp_path / "train.py", source)
    found = await diagnostics_where(client, uri, lambda d: "TFG201" in codes(d))
    assert not any("dry run:" in d.message for d in found)  # nothing is run unless the user asks
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[], only=["source.dryRun"])))
    (action,) = actions
    # lsprotocol's client converter reads any action with a `command` as a bare Command (the whole action
    # then lands in its `command` string); editors tell them apart by the type of `command`
    offered = str(action.command.command if isinstance(action, types.CodeAction) else action.command)
    assert "tflint-gesture.dryRun" in offered and uri in offered
    result = await asyncio.wait_for(client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="tflint-gesture.dryRun", arguments=[uri])), 300)
    assert result["error"] is None, result
    assert result["verdicts"]["confirmed"] >= 1, result
    after = await diagnostics_where(client, uri, lambda d: any("dry run: confirmed" in x.message for x in d))
    head = next(d for d in after if d.code == "TFG201")
    assert "dry run: confirmed" in head.message
