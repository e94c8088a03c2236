"""The member-list parser: pure, no database."""

import pytest
from django.utils import translation

from assessment.campaigns.memberlist import ListError, decode_upload, parse_members


@pytest.fixture(autouse=True)
def english():
    """The messages are compared in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def test_it_decodes_utf8_with_and_without_bom_utf16_and_gbk():
    text = "企业名称,联系人,邮箱\n光谷精密,王经理,wang@example.com\n"
    for data in (
        text.encode("utf-8"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        text.encode("utf-16"),
        text.encode("gbk"),
    ):
        assert decode_upload(data) == text


def test_it_refuses_oversized_files():
    with pytest.raises(ListError):
        decode_upload(b"a" * (512 * 1024 + 1))


def test_it_skips_a_header_and_reads_tabs_commas_and_quotes():
    members, errors = parse_members(
        'Firm name,Contact,E-mail\n"Li & Sons, Ltd",Ms Li,li@example.com,English\nB\tMr B\tb@example.com\n',
        default_language="zh-hans",
    )
    assert errors == []
    assert [(m.firm_name, m.language) for m in members] == [("Li & Sons, Ltd", "en"), ("B", "zh-hans")]


def test_it_names_the_line_of_every_problem():
    _members, errors = parse_members("A,a,a@example.com\nB,b,A@example.com\nC,c\n", default_language="en")
    assert errors == [
        "Line 2: the same e-mail address is on line 1.",
        "Line 3: expected firm name, contact, e-mail and optionally language; found 2 values. "
        "Separate them with commas (, or ，), semicolons (; or ；) or tabs.",
    ]


def test_it_calls_an_empty_list_empty():
    assert parse_members("\n  \n", default_language="en") == ([], ["The list is empty."])


def test_it_accepts_full_width_commas_and_semicolons():
    members, errors = parse_members(
        "武汉光谷精密，王经理，wang@example.com\n顺德美厨；陈总；chen@example.com；en\nA Co; Li; li@example.com\n",
        default_language="zh-hans",
    )
    assert errors == []
    assert [(m.firm_name, m.contact_name, m.email, m.language) for m in members] == [
        ("武汉光谷精密", "王经理", "wang@example.com", "zh-hans"),
        ("顺德美厨", "陈总", "chen@example.com", "en"),
        ("A Co", "Li", "li@example.com", "zh-hans"),
    ]
