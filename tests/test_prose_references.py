"""Every reference a page's prose makes resolves: each {glue:} name is glued by its chapter's
stored outputs, each {term} is an entry of the glossary, each {cite:p} key an entry of the
bibliography, each {ref} a label some page defines, and each literalinclude shows a file that
holds what it names (a package function renamed would leave a chapter's include behind). The
site build (`-W`) fails on a broken one too, but only after executing every chapter; this check
reads the sources in a second, so that a new chapter's typo shows at step 6 of "Adding a
chapter" (CONTRIBUTING.md)."""

import ast
import re

import nbformat
import yaml

from lesson5.glue import glue_output, glued_name
from scripts.toc import ROOT, pages

# A MyST role with its content: {glue:}`name`, {term}`text <term>`, {cite:p}`a,b`, {ref}`label`.
ROLE = re.compile(r"\{(glue(?::\w*)?|term|cite(?::\w+)?|ref)\}`([^`]+)`")
# A label a {ref} can reach: `(name)=` on a line of its own, above a heading.
LABEL = re.compile(r"^\(([^()\s]+)\)=[ \t]*$", re.M)
GLOSSARY = re.compile(r"^```\{glossary\}[^\n]*\n(.*?)^```", re.M | re.S)
BIB_ENTRY = re.compile(r"^@\w+\{\s*([^,\s]+)\s*,", re.M)
# A literalinclude directive: its path, then its options, one `:name: value` a line.
INCLUDE = re.compile(r"^```\{literalinclude\}[ \t]+(\S+)[ \t]*\n((?:[ \t]*:[\w-]+:.*\n)*)", re.M)


def _defines(source, dotted):
    """Whether Python `source` defines `dotted` at its top level: a function or class, or a
    method of a class (`Class.method`), as literalinclude's :pyobject: reads it."""
    scope = ast.parse(source).body
    for name in dotted.split("."):
        found = next((node for node in scope if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                      and node.name == name), None)
        if found is None:
            return False
        scope = found.body
    return True


def _included(root, where, page, text):
    """In words, each literalinclude in `text` (on `page`) whose file, object or lines are missing."""
    found = []
    for path, options in INCLUDE.findall(text):
        file = (root / page).parent / path
        if not file.is_file():
            found.append(f"{where}: literalinclude {path} names no file (paths are from the page's folder)")
            continue
        source = file.read_text(encoding="utf-8")
        for option, value in re.findall(r"^[ \t]*:([\w-]+):[ \t]*(.*?)[ \t]*$", options, re.M):
            if option == "pyobject" and not _defines(source, value):
                found.append(f"{where}: literalinclude {path} :pyobject: {value} is defined nowhere there")
            elif option in ("start-at", "end-at", "start-after", "end-before") and value not in source:
                found.append(f"{where}: literalinclude {path} :{option}: {value!r} is not in it")
    return found


def _target(content):
    """What a role points at: the part in <...> where it gives one (`text <target>`), else the
    whole content, its line breaks read as spaces."""
    found = re.fullmatch(r"(?s).*<([^<>]+)>\s*", content)
    return " ".join((found.group(1) if found else content).split())


def _prose(root):
    """(where, page, markdown) for each page of the book, one per markdown cell of a chapter."""
    for page in pages(root):
        notebook = root / f"{page}.ipynb"
        if notebook.exists():
            cells = nbformat.read(notebook, as_version=4).cells
            for i, cell in enumerate(cells):
                if cell.cell_type == "markdown":
                    yield f"{page}.ipynb cell {i}", page, cell.source
        else:
            yield f"{page}.md", page, (root / f"{page}.md").read_text(encoding="utf-8")


def _glued(notebook):
    """The names a chapter's stored outputs glue."""
    return {
        glued_name(output)
        for cell in nbformat.read(notebook, as_version=4).cells
        for output in cell.get("outputs", [])
    } - {None}


def _entries(text):
    """The glossary entries in a page's `text`, each as its terms (an entry may name several, one
    a line, above its indented definition), lower-cased: Sphinx matches terms whatever their case."""
    entries = []
    for block in GLOSSARY.findall(text):
        terms = []
        for line in block.splitlines():
            if line.strip() and not line[0].isspace() and not line.startswith(":"):
                terms.append(" ".join(line.split()).lower())
            elif terms:
                entries.append(terms)
                terms = []
        if terms:
            entries.append(terms)
    return entries


def unresolved(root):
    """Each reference in the prose of the book at `root` that nothing defines, in words."""
    prose = list(_prose(root))
    terms = {term for _, _, text in prose for entry in _entries(text) for term in entry}
    labels = {label.lower() for _, _, text in prose for label in LABEL.findall(text)}
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    bib_files = config.get("bibtex_bibfiles", [])
    keys = {key for name in bib_files for key in BIB_ENTRY.findall((root / name).read_text(encoding="utf-8"))}
    glued = {}
    found = []
    for where, page, text in prose:
        found += _included(root, where, page, text)
        for role, content in ROLE.findall(text):
            target = _target(content)
            if role.startswith("glue"):
                notebook = root / f"{page}.ipynb"
                if notebook not in glued:
                    glued[notebook] = _glued(notebook) if notebook.exists() else set()
                if target not in glued[notebook]:
                    found.append(
                        f"{where}: {{{role}}}`{target}` is glued by no stored output of {page}: "
                        "glue it in a code cell there, then store the outputs (step 5)"
                    )
            elif role == "term" and target.lower() not in terms:
                found.append(f"{where}: {{term}}`{target}` is no entry of the glossary: add one (step 3)")
            elif role.startswith("cite"):
                for key in (key.strip() for key in content.split(",")):
                    if key not in keys:
                        found.append(
                            f"{where}: {{{role}}}`{key}` has no entry in {', '.join(bib_files)}: add one (step 3)"
                        )
            elif role == "ref" and target.lower() not in labels:
                found.append(f"{where}: {{ref}}`{target}` names no label: write ({target})= above its heading")
    return found


def unlinked(root):
    """The glossary entries (their first term) that no chapter links with {term}: the glossary
    promises that a chapter links each term where it introduces it (CONTRIBUTING.md, step 3)."""
    prose = list(_prose(root))
    linked = {
        _target(content).lower()
        for where, _, text in prose
        if ".ipynb " in where
        for role, content in ROLE.findall(text)
        if role == "term"
    }
    return [entry[0] for _, _, text in prose for entry in _entries(text) if not set(entry) & linked]


def test_every_reference_in_the_prose_resolves():
    assert not unresolved(ROOT), "\n".join(unresolved(ROOT))


def test_every_glossary_entry_is_linked_from_a_chapter():
    assert not unlinked(ROOT), f"no chapter links these glossary entries with {{term}}: {unlinked(ROOT)}"


def test_broken_references_are_found_and_good_ones_pass(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n  - file: book/01_a\n  - file: book/glossary\n",
        encoding="utf-8",
    )
    (tmp_path / "_config.yml").write_text("bibtex_bibfiles:\n  - book/references.bib\n", encoding="utf-8")
    (tmp_path / "book" / "references.bib").write_text("@book{known2020,\n  title={T},\n}\n", encoding="utf-8")
    (tmp_path / "book" / "glossary.md").write_text(
        "# Glossary\n\n```{glossary}\n:sorted:\n\nLoss\nloss function\n  What training minimises.\n```\n",
        encoding="utf-8",
    )
    (tmp_path / "book" / "intro.md").write_text(
        "(start)=\n# Intro\n\nA {term}`loss`, {cite:p}`known2020, missing2099` and {ref}`the end <nowhere>`.\n",
        encoding="utf-8",
    )
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "m.py").write_text("def f():\n    pass\n\n\nclass C:\n    def g(self):\n        return 1\n")
    (tmp_path / "book" / "glossary.md").write_text(
        (tmp_path / "book" / "glossary.md").read_text(encoding="utf-8")
        + "\n```{literalinclude} ../code/m.py\n:pyobject: C.g\n```\n\n```{literalinclude} ../code/m.py\n"
        ":pyobject: C.h\n```\n\n```{literalinclude} ../code/m.py\n:start-at: def f\n:end-at: return 2\n```\n"
        "\n```{literalinclude} ../code/gone.py\n```\n",
        encoding="utf-8",
    )
    glue_cell = nbformat.v4.new_code_cell("glue('n', 3)")
    data, metadata = glue_output("n", "3")
    glue_cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_markdown_cell(
                    "The {term}`functions <loss\n function>` give {glue:}`n`, {glue:}`nn`,\n"
                    "{glue:md}`m`, see {ref}`Start <start>`, {term}`weight`."
                ),
                glue_cell,
            ]
        ),
        tmp_path / "book" / "01_a.ipynb",
    )
    # "loss" is linked by the chapter through its second term; the glossary's own link does not count.
    (tmp_path / "book" / "glossary.md").write_text(
        (tmp_path / "book" / "glossary.md").read_text(encoding="utf-8").replace(
            "  What training minimises.\n", "  What training minimises.\n\nUnused\n  Linked by the {term}`unused`.\n"
        ),
        encoding="utf-8",
    )
    assert unlinked(tmp_path) == ["unused"]
    found = unresolved(tmp_path)
    roles = [line for line in found if "literalinclude" not in line]
    assert [line.split(":", 1)[0] + ": " + line.split("`")[1] for line in roles] == [
        "book/intro.md: missing2099",
        "book/intro.md: nowhere",
        "book/01_a.ipynb cell 0: nn",
        "book/01_a.ipynb cell 0: m",
        "book/01_a.ipynb cell 0: weight",
    ], found
    assert [line for line in found if "literalinclude" in line] == [
        "book/glossary.md: literalinclude ../code/m.py :pyobject: C.h is defined nowhere there",
        "book/glossary.md: literalinclude ../code/m.py :end-at: 'return 2' is not in it",
        "book/glossary.md: literalinclude ../code/gone.py names no file (paths are from the page's folder)",
    ], found
