"""Bad input gets one Russian sentence as a DocumentError, never another exception."""

import contextlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmaps.importers import DocumentError, parse_document, reader

FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"
KIROVSKY_DOCX = FIXTURES / "spb-kirovsky-2024.docx"
KIROVSKY_XLSX = FIXTURES / "spb-kirovsky-2024.xlsx"

WORD_BROKEN = "Файл повреждён или не является документом Word (.docx)."
EXCEL_BROKEN = "Файл повреждён или не является таблицей Excel (.xlsx)."


def error_of(source, filename=None, **kwargs) -> str:
    with pytest.raises(DocumentError) as caught:
        parse_document(source, filename, **kwargs)
    message = str(caught.value)
    assert message.endswith(".")
    assert "\n" not in message
    return message


def docx_bytes(build) -> bytes:
    document = Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- broken files ------------------------------------------------------------------------------


def test_garbage_named_docx_is_a_broken_word_file():
    assert error_of(b"this is not a word document at all", "plan.docx") == WORD_BROKEN


def test_truncated_docx_is_a_broken_word_file():
    data = KIROVSKY_DOCX.read_bytes()

    assert error_of(data[: len(data) // 2], "plan.docx") == WORD_BROKEN


def test_zip_without_a_document_is_a_broken_word_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")

    assert error_of(buffer.getvalue(), "plan.docx") == WORD_BROKEN


def test_docx_with_a_broken_document_part_is_a_broken_word_file():
    source = zipfile.ZipFile(KIROVSKY_DOCX)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "word/document.xml":
                data = data[:5000]  # XML cut mid-element
            archive.writestr(entry, data)

    assert error_of(buffer.getvalue(), "plan.docx") == WORD_BROKEN


def test_garbage_named_xlsx_is_a_broken_excel_file():
    assert error_of(b"\x00\x01\x02 not excel", "plan.xlsx") == EXCEL_BROKEN


def test_truncated_xlsx_is_a_broken_excel_file():
    data = KIROVSKY_XLSX.read_bytes()

    assert error_of(data[:3000], "plan.xlsx") == EXCEL_BROKEN


def test_password_protected_office_file_is_refused():
    # An encrypted .docx/.xlsx is an OLE container holding an «EncryptedPackage» stream.
    data = (FIXTURES / "encrypted.docx").read_bytes()

    assert error_of(data, "plan.docx") == (
        "Файл защищён паролем: снимите пароль и загрузите файл снова."
    )
    assert error_of(data, "plan.xlsx") == (
        "Файл защищён паролем: снимите пароль и загрузите файл снова."
    )


def test_old_word_format_is_refused_with_advice():
    ole = reader._OLE_MAGIC + b"\x00" * 1024

    assert error_of(ole, "plan.doc") == (
        "Формат Word 97–2003 (.doc) не поддерживается: сохраните документ как .docx."
    )
    assert error_of(ole, "plan.docx") == (
        "Формат Word 97–2003 (.doc) не поддерживается: сохраните документ как .docx."
    )
    assert error_of(ole, "plan.xls") == (
        "Формат Excel 97–2003 (.xls) не поддерживается: сохраните таблицу как .xlsx."
    )


# --- what is in the file -----------------------------------------------------------------------


def test_word_document_without_a_table():
    data = docx_bytes(lambda d: d.add_paragraph("План мероприятий на 2024 год"))

    assert error_of(data, "plan.docx") == "В документе не найдена таблица мероприятий."


def test_text_without_a_table():
    data = "План мероприятий на 2024 год\n\nПросто текст без таблицы.".encode()

    assert error_of(data, "plan.txt") == "В документе не найдена таблица мероприятий."


def test_table_without_a_recognizable_header():
    def build(document):
        table = document.add_table(rows=2, cols=3)
        for row in table.rows:
            for cell in row.cells:
                cell.text = "данные"

    message = error_of(docx_bytes(build), "plan.docx")

    assert message.startswith("В документе не найдена строка заголовков таблицы")


def test_table_with_a_header_and_no_items():
    def build(document):
        table = document.add_table(rows=1, cols=3)
        for cell, text in zip(table.rows[0].cells, ["№", "Мероприятие", "Сроки"], strict=True):
            cell.text = text

    assert error_of(docx_bytes(build), "plan.docx") == (
        "В таблице мероприятий не найдено ни одного мероприятия."
    )


def test_excel_sheet_without_a_header():
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["a", "b", "c"])
    workbook.save(buffer)

    assert error_of(buffer.getvalue(), "plan.xlsx").startswith(
        "В документе не найдена строка заголовков"
    )


@pytest.mark.parametrize("data", [b"", b"   \n\t\n  ", "\ufeff\n".encode()])
def test_empty_file(data):
    assert error_of(data, "plan.txt") == "Файл пустой."


def test_empty_office_file():
    assert error_of(b"", "plan.docx") == "Файл пустой."


def test_binary_file_named_txt():
    assert error_of(b"\x00\x01binary\x00", "plan.txt") == (
        "Файл не похож на текстовый документ: сохраните план как .txt, .docx или .xlsx."
    )
    assert error_of(KIROVSKY_DOCX.read_bytes(), "plan.txt").startswith("Файл не похож на текст")


# --- size and bombs ----------------------------------------------------------------------------


def test_file_larger_than_the_limit_from_a_path(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(b"x" * 3000)

    assert error_of(path, max_bytes=1024) == (
        "Файл слишком большой (3 КБ): можно загрузить не больше 1 КБ."
    )


def test_file_larger_than_the_limit_from_a_stream():
    stream = io.BytesIO(KIROVSKY_DOCX.read_bytes())

    message = error_of(stream, "plan.docx", max_bytes=10_000)

    assert message.startswith("Файл слишком большой (")
    assert "можно загрузить не больше" in message


def test_default_limit_is_twenty_megabytes():
    message = error_of(b"x" * (20 * 1024 * 1024 + 1), "plan.txt")

    assert message == "Файл слишком большой (20 МБ): можно загрузить не больше 20 МБ."


def test_zip_bomb_by_ratio_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b"a" * (5 * 1024 * 1024) + b"/>")

    assert error_of(buffer.getvalue(), "plan.docx") == (
        "Файл отклонён: в распакованном виде он занимает слишком много места "
        "или сжат подозрительно сильно."
    )


def test_zip_bomb_by_total_size_is_refused(monkeypatch):
    monkeypatch.setattr(reader, "MAX_UNPACKED", 10_000)

    assert error_of(KIROVSKY_XLSX.read_bytes(), "plan.xlsx").startswith("Файл отклонён")


def test_ordinary_office_files_pass_the_bomb_check():
    for name in ["spb-kirovsky-2024.docx", "tyumen-oblast-2024.xlsx", "regional-plan-2025.docx"]:
        reader._check_zip((FIXTURES / name).read_bytes(), "docx")


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan.rtf", "plan.doc.bak", "plan.csv", "plan"])
def test_unsupported_extension(name):
    message = error_of(b"some content", name)

    assert message.startswith("Формат файла ")
    assert message.endswith(
        "не поддерживается: загрузите документ Word (.docx), таблицу Excel (.xlsx), PDF с "
        "текстом (.pdf), документ или таблицу OpenDocument (.odt, .ods) "
        "или текст (.txt, .md, .tsv)."
    )


def test_missing_file(tmp_path):
    assert error_of(tmp_path / "nowhere.docx") == "Файл «nowhere.docx» не найден."


def test_directory_instead_of_a_file(tmp_path):
    folder = tmp_path / "plan.docx"
    folder.mkdir()

    assert error_of(folder) == "Не удалось открыть файл «plan.docx»."


# --- nothing else escapes ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=2000),
    name=st.sampled_from(["a.docx", "a.xlsx", "a.txt", "a.md", "a.tsv"]),
)
def test_random_bytes_raise_only_document_error(data, name):
    with contextlib.suppress(DocumentError):
        parse_document(data, name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from([KIROVSKY_DOCX, KIROVSKY_XLSX]),
    cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), max_size=4),
)
def test_damaged_office_files_raise_only_document_error(path, cuts):
    data = bytearray(path.read_bytes())
    for where, noise in cuts:
        position = int(where * (len(data) - 1))
        data[position : position + len(noise)] = noise
    with contextlib.suppress(DocumentError):
        parse_document(bytes(data), path.name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(
        alphabet=st.sampled_from(
            list("№\t\n .-–()«»<>/bpliu1234567890ИМЦОО Раздел Сроки Мероприятие Ответственный")
        ),
        max_size=400,
    )
)
def test_any_text_raises_only_document_error(text):
    with contextlib.suppress(DocumentError):
        parse_document(text.encode(), "plan.txt")


def test_zip_claiming_an_unreadable_version_is_a_document_error():
    # Found by the fuzzer: a damaged central directory can claim «zip file version 6.4».
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 6] = 64  # "version needed to extract" = 6.4
    with pytest.raises(DocumentError):
        parse_document(bytes(data), filename="plan.docx")
