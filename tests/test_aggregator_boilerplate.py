"""aggregator-boilerplate: exact spans for every catalogue entry, negative controls,
the catalogue as data, and user entries from configuration end to end.

The case files (tests/cases/aggregator-boilerplate) check start positions; these tests
check that ``text[start:end]`` is exactly the block a fix deletes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import (
    EXAMPLE,
    ROOT,
    lint_as_the_rules_see_it,
    require_corpus,
    run_cliplint,
    traced_lines,
)
from hypothesis import given, settings, strategies as st

from cliplint import lint_text
from cliplint.cli import main
from cliplint.document import Document
from cliplint.model import Problem
from cliplint_rules import _boilerplate

RULE = "aggregator-boilerplate"
CASES = ROOT / "tests" / "cases" / RULE
DATA = ROOT / "rules" / "data"

TITLE_URL = "https://www.example.com/a/blinken-20230614.html"
HEADER = f"<!--1686778744000-->\n[布林肯周五访华]({TITLE_URL})\n------\n\n"
ARTICLE = "<p>美国国务卿布林肯周五访华。</p><p>观察人士表示，两国政府正试图举行峰会。</p>"
FEEDX_DOMAINS = ("net", "xyz", "run", "best", "site", "co", "top")


def _lint(text: str, config: dict | None = None) -> list[Problem]:
    return lint_text(text, path="clip.md", config=config, select=[RULE])


def _apply(text: str, problem: Problem) -> str:
    assert problem.fix is not None
    (edit,) = problem.fix.edits
    assert (edit.start, edit.end, edit.replacement) == (problem.start, problem.end, "")
    return text[: edit.start] + text[edit.end :]


def _feedx(domain: str, colon: str = "：") -> str:
    link = '<a href="https://feedx.{0}" style="color:orange" target="_blank">https://feedx.{0}</a>'
    return (f"<br><hr><div>获取更多RSS{colon}<br>{link.format('net')} "
            f"<br>{link.format(domain)}<br></div>")


# The Better Feed plugin's footer and note as the oped2 corpus has them (421 files).
BETTER_FEED_FOOTER = (
    '<p><small>&copy; 大号冲塔 for <a href="https://chinadigitaltimes.net/chinese">中国数字时代</a>, '
    "get_post_time('Y'). |<a href=\"https://chinadigitaltimes.net/chinese/2020/06/x/\">Permalink</a> "
    '|<a href="https://chinadigitaltimes.net/chinese/2020/06/x/#comments">No comment</a> |Add to'
    '<a href="http://del.icio.us/post?url=https://chinadigitaltimes.net/chinese/2020/06/x/&amp;'
    'title=标题">del.icio.us</a><br/>Post tags: <a href="https://chinadigitaltimes.net/chinese/tag/'
    'a/" rel="tag">华为</a>, <a href="https://chinadigitaltimes.net/chinese/tag/b/" rel="tag">5G</a>'
    "<br/></small></p>")
BETTER_FEED_NOTE = (
    "<p><small>Feed enhanced by <a href='http://planetozh.com/blog/my-projects/"
    "wordpress-plugin-better-feed-rss/'>Better Feed</a> from  "
    "<a href='http://planetozh.com/blog/'>Ozh</a></small></p>")


# -- trailing footers: one problem, exactly the block, safe or unsafe --------------------

TRAILING = {
    **{f"feedx-{domain}-{name}": (_feedx(domain, colon), "feedx", "safe")
       for domain in FEEDX_DOMAINS for name, colon in (("fullwidth", "："), ("ascii", ":"))},
    "feedx-sanitised": (
        ('<hr/>获取更多RSS：<a href="https://feedx.net">https://feedx.net</a> '
        '<a href="https://feedx.xyz">https://feedx.xyz</a>'), "feedx", "safe"),
    "feedx-separators-with-whitespace": (
        ("<br>\n<hr>\n<div>获取更多RSS：<br>"
        '<a href="https://feedx.site">https://feedx.site</a></div>'), "feedx", "safe"),
    "fetchrss": (
        ('<br/><br/><span style="font-size:12px; color: gray;">(Feed generated with '
        '<a href="https://fetchrss.com" target="_blank">FetchRSS</a>)</span>'),
        "fetchrss", "safe"),
    "fetchrss-text-only": ("<br/><br/>(Feed generated with FetchRSS)", "fetchrss", "safe"),
    "feed43": ("<p><sub><i>-- Delivered by Feed43 service</i></sub></p>", "feed43", "safe"),
    "kill-the-newsletter": (
        ('<hr /><p><small><a href="https://ktn.example.net/feeds/abc123">'
        "Kill the Newsletter! feed settings</a></small></p>"), "kill-the-newsletter", "safe"),
    "yoast": (
        (f'<p>The post <a rel="nofollow" href="{TITLE_URL}">布林肯周五访华</a> appeared first '
        'on <a rel="nofollow" href="https://www.example.com">Example</a>.</p>'),
        "yoast-appeared-first", "unsafe"),
    "yoast-german": (
        (f'<p>Der Beitrag <a rel="nofollow" href="{TITLE_URL}">Blinken</a> erschien zuerst '
        'auf <a rel="nofollow" href="https://www.example.com">Beispiel</a>.</p>'),
        "yoast-appeared-first", "unsafe"),
    "better-feed-note": (BETTER_FEED_NOTE, "better-feed", "unsafe"),
    "better-feed-footer": ("<hr />" + BETTER_FEED_FOOTER, "better-feed-footer", "unsafe"),
    # The whole Better Feed block: one span, one fix, the unexecuted PHP with it.
    "better-feed-block": ("<hr />\n" + BETTER_FEED_FOOTER + "\n" + BETTER_FEED_NOTE,
                          "better-feed", "unsafe"),
}


@pytest.mark.parametrize("block, name, applicability", TRAILING.values(), ids=TRAILING.keys())
def test_trailing_footer_span_is_exactly_the_block(block: str, name: str,
                                                   applicability: str) -> None:
    text = HEADER + ARTICLE + block + "\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == block
    assert problem.message.endswith(f"[{name}]")
    assert problem.fix is not None and problem.fix.applicability == applicability
    fixed = _apply(text, problem)
    assert fixed == HEADER + ARTICLE + "\n"
    assert _lint(fixed) == []


def test_trailing_footer_inside_a_wrapper_keeps_the_wrapper() -> None:
    block = _feedx("xyz")
    text = HEADER + "<div>" + ARTICLE + block + "</div>\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == block
    assert _apply(text, problem) == HEADER + "<div>" + ARTICLE + "</div>\n"


def test_whitespace_before_the_first_separator_stays() -> None:
    block = _feedx("best")
    text = HEADER + ARTICLE + "\n" + block + "\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == block


def test_footer_followed_by_a_tracker_is_still_the_last_block() -> None:
    pixel = '<img src="https://pixel.wp.com/b.gif?blog=1&amp;feed=1" width="1" height="1">'
    footer = _feedx("xyz")
    text = HEADER + ARTICLE + footer + pixel + "\n"
    problems = _lint(text)
    assert [text[p.start : p.end] for p in problems] == [footer, pixel]


def test_empty_paragraphs_after_a_footer_do_not_hide_it() -> None:
    footer = _feedx("xyz")
    text = HEADER + ARTICLE + footer + "<p>&nbsp;</p><p>\u3000</p><div></div>\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == footer


def test_crlf_file() -> None:
    text = (HEADER + ARTICLE + _feedx("top") + "\n").replace("\n", "\r\n")
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == _feedx("top")
    assert _apply(text, problem).endswith("</p>\r\n")


# -- Medium's feed footer: trailing, the first link the title URL without its query ------

MEDIUM_STORY = "https://medium.com/%E6%88%91%E6%98%AF%E9%A6%AC/misi-ke-43c1feed5f53"
MEDIUM_HEADER = f"<!--1608626226000-->\n[耳朵借我]({MEDIUM_STORY}?source=rss-b26efb5c6c3e------2)\n------\n\n"
MEDIUM_PIXEL = ('<img src="https://medium.com/_/stat?event=post.clientViewed&referrerSource=full_rss'
                '&postId=43c1feed5f53" width="1" height="1" alt="">')
MEDIUM_SENTENCE = (" on Medium, where people are continuing the conversation by highlighting and "
                   "responding to this story.")


def _medium_footer(story: str = MEDIUM_STORY, publication: str = "https://medium.com/%E6%88%91") -> str:
    return (f'<p><a href="{story}">耳朵借我</a> was originally published in '
            f'<a href="{publication}">耳目江湖</a>{MEDIUM_SENTENCE}</p>')


def test_medium_footer_after_its_pixel() -> None:
    footer = "<hr>" + _medium_footer()
    text = MEDIUM_HEADER + "<div>\n" + ARTICLE + MEDIUM_PIXEL + footer + "\n</div>\n"
    pixel, problem = _lint(text)
    assert text[pixel.start : pixel.end] == MEDIUM_PIXEL
    assert text[problem.start : problem.end] == footer
    assert problem.message.endswith("at the end of the body [medium-footer]")
    assert problem.fix is not None and problem.fix.applicability == "unsafe"  # as Yoast's
    fixed = _apply(text, problem)
    assert fixed == MEDIUM_HEADER + "<div>\n" + ARTICLE + MEDIUM_PIXEL + "\n</div>\n"
    assert [p.message for p in _lint(fixed)] == [pixel.message]


def test_medium_footer_on_a_publication_domain() -> None:
    story = "https://netflixtechblog.com/maps-netflixs-multimodal-asset-personalization-32f96320785e"
    header = f"<!--1700000000000-->\n[MAPS]({story}?source=rss----2615bd06b42e---4)\n------\n\n"
    footer = "<hr>" + _medium_footer(story, "https://netflixtechblog.com")
    text = header + ARTICLE + footer + "\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == footer


@pytest.mark.parametrize("title_url", [
    "https://medium.com/我是馬/misi-ke-43c1feed5f53",  # a bot decoded the path
    MEDIUM_STORY + "/?source=rss-b26efb5c6c3e------2",  # a trailing slash
    MEDIUM_STORY.lower(),  # the percent-encoding in lower case
], ids=["decoded", "trailing-slash", "lower-case-escapes"])
def test_medium_footer_to_the_title_page_however_its_path_is_written(title_url: str) -> None:
    header = f"<!--1608626226000-->\n[耳朵借我]({title_url})\n------\n\n"
    footer = "<hr>" + _medium_footer()
    text = header + ARTICLE + footer + "\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == footer


MEDIUM_NEGATIVE = {
    # A writer's own sentences: no Medium tail, or Medium named in prose.
    "writer-sentence": ARTICLE + '<p>This essay was originally published in <a href="https://www.'
                       'theatlantic.com/ideas/x/">The Atlantic</a>.</p>',
    "writer-sentence-with-title-link": ARTICLE + f'<p><a href="{MEDIUM_STORY}">耳朵借我</a> was '
                                       'originally published in <a href="https://www.theatlantic.'
                                       'com">The Atlantic</a>.</p>',
    "medium-in-prose": ARTICLE + "<p>I first posted this on Medium, where people are continuing "
                       "the conversation by highlighting and responding to this story.</p>",
    "sentence-quoted": ARTICLE + "<p>Medium ends each item with “" + _medium_footer()[3:-4] + "”</p>",
    "footer-not-last": ARTICLE + "<hr>" + _medium_footer() + "<p>後記：謝謝收聽。</p>",
    "footer-of-another-story": ARTICLE + "<hr>" + _medium_footer(
        "https://medium.com/%E6%88%91%E6%98%AF%E9%A6%AC/another-story-0123456789ab"),
    "footer-on-another-host": ARTICLE + "<hr>" + _medium_footer(
        MEDIUM_STORY.replace("medium.com", "medium.example.com")),
    "footer-with-three-links": ARTICLE + "<hr>" + _medium_footer().replace(
        "</p>", ' <a href="https://medium.com/">More</a></p>'),
}


@pytest.mark.parametrize("body", MEDIUM_NEGATIVE.values(), ids=MEDIUM_NEGATIVE.keys())
def test_medium_negative_controls_do_not_fire(body: str) -> None:
    assert _lint(MEDIUM_HEADER + body + "\n") == []


def test_medium_footer_needs_a_title_url() -> None:
    text = "<!--1608626226000-->\n耳朵借我\n------\n\n" + ARTICLE + "<hr>" + _medium_footer() + "\n"
    assert _lint(text) == []


# -- leading and anywhere ----------------------------------------------------------------


def test_inoreader_header_ad() -> None:
    ad = ('<center><a href="https://ads.example.net/c?id=1"><img src="https://ads.example.net/b.png">'
          '</a><br><a href="https://www.inoreader.com/upgrade">Ads from Inoreader</a> &bull; '
          '<a href="https://www.inoreader.com/remove_ads">Remove</a></center><br>')
    text = HEADER + ad + ARTICLE + "\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == ad
    assert problem.fix is not None and problem.fix.applicability == "unsafe"
    assert _apply(text, problem) == HEADER + ARTICLE + "\n"


PIXELS = {
    "feedburner-pixel": '<img src="http://feeds.feedburner.com/~r/Example/~4/AbC123" height="1" width="1" alt=""/>',
    "feedburner-pixel-custom-host": '<img src="https://news.example.org/~r/Example/~4/AbC" width="1" height="1">',
    "wordpress-stats": '<img alt="" border="0" src="https://pixel.wp.com/b.gif?host=example.wordpress.com&#038;blog=1&#038;feed=1" width="1" height="1" />',
    "wordpress-stats-old-host": '<img src="https://stats.wordpress.com/b.gif?blog=1" width="1" height="1">',
    "medium-stat": '<img src="https://medium.com/_/stat?event=post.clientViewed&amp;postId=abc" width="1" height="1" alt="">',
    "google-analytics": '<img src="https://www.google-analytics.com/collect?v=1&amp;t=pageview" width="1" height="1">',
    "scorecardresearch": '<img src="https://sb.scorecardresearch.com/p?c1=2&amp;c2=1" width="0" height="0">',
    "baidu-tongji": '<img src="https://hm.baidu.com/hm.gif?si=abc" style="width:1px;height:1px">',
    "statcounter": '<img src="https://c.statcounter.com/1/0/abc/1/" width="1px" height="1px">',
    "amazon-associates": '<img style="border: none !important;margin: 0px !important" src="//ir-na.'
                         'amazon-adsystem.com/e/ir?t=cdt02c-20&amp;l=am2&amp;o=1&amp;a=B07X25PDNY" '
                         'alt="" width="1" height="1" border="0" />',
    "amazon-associates-old-host": '<img src="http://www.assoc-amazon.com/e/ir?t=x-20&l=as2&o=1" '
                                  'width="1" height="1" border="0" alt="">',
    "facebook-pixel": '<img height="1" width="1" style="display:none" src="https://www.facebook.com/'
                      'tr?id=1&amp;ev=PageView&amp;noscript=1"/>',
    "linkedin-insight": '<img height="1" width="1" style="display:none;" alt="" src="https://px.ads.'
                        'linkedin.com/collect/?pid=2439282&amp;fmt=gif" />',
    "quantcast": '<img src="//pixel.quantserve.com/pixel/p-test123.gif" height="1" width="1" alt="Quantcast"/>',
}


@pytest.mark.parametrize("pixel", PIXELS.values(), ids=PIXELS.keys())
def test_tracking_pixel_anywhere(pixel: str) -> None:
    text = HEADER + f"<p>第一段。{pixel}仍是正文。</p><p>第二段。</p>\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == pixel
    assert problem.fix is not None and problem.fix.applicability == "safe"
    assert _apply(text, problem) == HEADER + "<p>第一段。仍是正文。</p><p>第二段。</p>\n"


def test_feedburner_flare() -> None:
    flare = ('<div class="feedflare">\n<a href="http://feeds.feedburner.com/~ff/Example?a=Ab:cd">'
             '<img src="http://feeds.feedburner.com/~ff/Example?d=yIl2AUoC8zA" border="0"></img>'
             '</a>\n</div>')
    text = HEADER + ARTICLE + flare + "<p>More text.</p>\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == flare
    assert problem.message.endswith("[feedburner-flare]")


# -- Substack's widgets: mid-body, only with the structure Substack writes, unsafe -------

SUBSTACK = "https://blog.andymasley.com"
#: A clipping of a post of the publication: its buttons go to its own host.
SUBSTACK_HEADER = f"<!--1700000000000-->\n[The Weird Turn Pro]({SUBSTACK}/p/x)\n------\n\n"


def _substack_button(url: str, label: str, component: str = "ButtonCreateButton",
                     css: str = "button-wrapper") -> str:
    attrs = ("{&quot;url&quot;:&quot;" + url.replace("&", "&amp;") + "&quot;,&quot;text&quot;:&quot;"
             + label + "&quot;,&quot;action&quot;:null,&quot;class&quot;:null}")
    return (f'<p class="{css}" data-attrs="{attrs}" data-component-name="{component}">'
            f'<a class="button primary" href="{url.replace("&", "&amp;")}"><span>{label}</span></a></p>')


SUBSTACK_FORM = ('<form class="subscription-widget-subscribe"><input type="email" class="email-input" '
                 'name="email" placeholder="Type your email…" tabindex="-1"><input type="submit" '
                 'class="button primary" value="Subscribe"><div class="fake-input-wrapper"><div '
                 'class="fake-input"></div><div class="fake-button"></div></div></form>')
SUBSTACK_WIDGETS = {
    "subscription-widget-editor": (
        '<div class="subscription-widget-wrap-editor" data-attrs="{&quot;url&quot;:&quot;'
        f'{SUBSTACK}/subscribe?&quot;,&quot;text&quot;:&quot;Subscribe&quot;,&quot;language&quot;'
        ':&quot;en&quot;}" data-component-name="SubscribeWidgetToDOM"><div class="subscription-'
        'widget show-subscribe"><div class="preamble"><p class="cta-caption">Thanks for reading! '
        'Subscribe for free to receive new posts and support my work.</p></div>'
        + SUBSTACK_FORM + "</div></div>", "substack-subscription-widget"),
    "subscription-widget-older": (
        '<div class="subscription-widget-wrap" data-attrs="{}"><div class="subscription-widget '
        'show-subscribe"><div class="preamble"><p class="cta-caption">You should sign up!</p></div>'
        + SUBSTACK_FORM + "</div></div>", "substack-subscription-widget"),
    "subscribe-widget-page": (
        '<div data-component-name="SubscribeWidget" class="subscribe-widget"><div class="pencraft '
        'pc-display-flex pc-justifyContent-center pc-reset"><div class="container-IpPqBD"><form '
        'action="/api/v1/free?nojs=true" method="post" novalidate="" class="form form-M5sC90"><input '
        'type="hidden" name="source" value="subscribe-widget"><div class="sideBySideWrap-vGXrwP"><div '
        'class="emailInputWrapper-QlA86j"><input name="email" placeholder="Type your email..." '
        'aria-label="Email" type="email"></div><button tabindex="0" type="submit" disabled="" '
        'class="pencraft pc-reset pencraft rightButton primary subscribe-btn"><span class="button-text '
        '">Subscribe</span></button></div></form></div></div></div>', "substack-subscribe-widget"),
    "subscribe-button": (_substack_button(f"{SUBSTACK}/subscribe?", "Subscribe now"),
                         "substack-subscribe-button"),
    "share-button": (_substack_button(f"{SUBSTACK}/p/x?utm_source=substack&utm_medium=email&"
                                      "utm_content=share&action=share", "Share"),
                     "substack-share-button"),
    "share-publication-button": (_substack_button(f"{SUBSTACK}/?utm_source=substack&utm_medium="
                                                  "email&utm_content=share&action=share",
                                                  "Share The Weird Turn Pro"),
                                 "substack-share-button"),
    "comment-button": (_substack_button(f"{SUBSTACK}/p/x/comments", "Leave a comment"),
                       "substack-comment-button"),
}


@pytest.mark.parametrize("widget, name", SUBSTACK_WIDGETS.values(), ids=SUBSTACK_WIDGETS.keys())
def test_substack_widget_mid_body(widget: str, name: str) -> None:
    text = SUBSTACK_HEADER + "<p>Before.</p>" + widget + "<p>After.</p>\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == widget
    assert problem.message.endswith(f"[{name}]")
    assert problem.fix is not None and problem.fix.applicability == "unsafe"
    fixed = _apply(text, problem)
    assert fixed == SUBSTACK_HEADER + "<p>Before.</p><p>After.</p>\n"
    assert _lint(fixed) == []


def test_a_substack_button_to_its_publication_with_or_without_www() -> None:
    # A custom domain is written with and without "www." (and redirects one to the other).
    button = _substack_button("https://www.blog.andymasley.com/subscribe?", "Subscribe now")
    text = SUBSTACK_HEADER + "<p>Before.</p>" + button + "<p>After.</p>\n"
    (problem,) = _lint(text)
    assert problem.message.endswith("[substack-subscribe-button]")


SUBSTACK_NEGATIVE = {
    # Substack's button, the writer's sentence with it: the fix would delete the sentence.
    "button-with-text": _substack_button(f"{SUBSTACK}/subscribe?", "Subscribe now").replace(
        "</a></p>", "</a> if you liked this, and tell a friend.</p>"),
    # Substack's buttons pointing at another publication, a newspaper, another site.
    "subscribe-to-another-publication": _substack_button("https://friend.substack.com/subscribe",
                                                         "Subscribe to my friend"),
    "subscribe-to-a-newspaper": _substack_button("https://www.nytimes.com/subscribe",
                                                 "Subscribe to the Times"),
    "share-on-another-site": _substack_button("https://example.org/post?action=share", "Share"),
    # The writer's own buttons: Substack's structure, but the link is the article's.
    "button-to-a-book": _substack_button("https://www.amazon.com/dp/0593537149", "Buy the book"),
    "button-to-another-post": _substack_button(f"{SUBSTACK}/p/part-one", "Read part one"),
    "button-to-a-form": _substack_button("https://forms.gle/abc", "Share your story"),
    "button-to-other-comments": _substack_button("https://news.ycombinator.com/item?id=1",
                                                 "Comments"),
    "share-in-the-path": _substack_button(f"{SUBSTACK}/p/action=share", "Share"),
    # Substack's links without Substack's structure.
    "subscribe-link-in-a-paragraph": f'<p><a href="{SUBSTACK}/subscribe">Subscribe</a></p>',
    "button-without-component": _substack_button(f"{SUBSTACK}/subscribe?", "Subscribe now",
                                                 component="Button"),
    "component-without-class": _substack_button(f"{SUBSTACK}/subscribe?", "Subscribe now",
                                                css="cta"),
    "writer-promo": '<blockquote><p>🌱 訂閱【<strong><a href="https://creatoreconomyimo.substack.com/'
                    '">創作者經濟 IMO</a></strong>】電子報。</p></blockquote>',
    # A site template's own form, with the class but not Substack's component name.
    "template-subscribe-widget": '<div class="subscribe-widget mt-5"><form id="widget-subscribe-form"'
                                 ' action="/subscriber" method="post"><input type="email" name="e">'
                                 "<button>Subscribe</button></form></div>",
    # A widget holding more than Substack puts in it.
    "widget-with-a-link": SUBSTACK_WIDGETS["subscription-widget-older"][0].replace(
        "You should sign up!", 'Read <a href="https://example.org/">this</a>'),
    "widget-with-an-image": SUBSTACK_WIDGETS["subscription-widget-older"][0].replace(
        "</div></div>", '<img src="https://example.org/a.png"></div></div>'),
}


@pytest.mark.parametrize("body", SUBSTACK_NEGATIVE.values(), ids=SUBSTACK_NEGATIVE.keys())
def test_substack_negative_controls_do_not_fire(body: str) -> None:
    assert _lint(SUBSTACK_HEADER + "<p>Before.</p>" + body + "<p>After.</p>\n") == []


# -- negative controls: none of these may fire -------------------------------------------

NEGATIVE = {
    "marker-mid-article": ARTICLE + _feedx("xyz") + "<p>正文还没有结束，这一段仍然是文章。</p>",
    "marker-quoted-in-a-sentence": '<p>页面底部写着“获取更多RSS：<a href="https://feedx.net">'
                                   "https://feedx.net</a>”。</p>",
    "marker-after-inline-text": '<p>他说<b>注意</b>获取更多RSS：<a href="https://feedx.net">x</a></p>',
    "appeared-first-in-prose": "<p>The post office report appeared first on the front page.</p>",
    "appeared-first-other-url": '<p>The post <a href="https://other.example.com/s">S</a> appeared '
                                'first on <a href="https://other.example.com">O</a>.</p>',
    "appeared-first-not-last": f'<p>The post <a href="{TITLE_URL}">T</a> appeared first on '
                               '<a href="https://www.example.com">E</a>.</p><p>More text.</p>',
    "wide-divider": '<p>One.</p><img alt="" src="https://pixel.wp.com/b.gif" width="600" '
                    'height="1"><p>Two.</p>',
    "pixel-size-unknown": '<p>One.<img src="https://pixel.wp.com/b.gif?blog=1"></p>',
    "unknown-beacon": '<p>Book<img src="//beacon.example.net/e/ir?t=x" width="1" height="1"></p>',
    "amazon-product-image": '<p><img src="//ws-na.amazon-adsystem.com/widgets/q?ASIN=1" width="1" '
                            'height="1"><img src="//ir-na.amazon-adsystem.com/e/ir?t=x"></p>',
    "better-feed-footer-mid-article": "<hr />" + BETTER_FEED_FOOTER + "<p>Article text after it.</p>",
    "better-feed-note-after-other-text": BETTER_FEED_FOOTER.replace("Permalink", "Link") + BETTER_FEED_NOTE
                                         + "<p>Article text after it.</p>",
    "feedx-link-in-article": '<p>The site <a href="https://feedx.net">feedx.net</a> republishes '
                             "full-text feeds.</p>",
    "feedx-marker-without-links": ARTICLE + "<p>获取更多RSS：</p>",
    "feedx-marker-other-host": ARTICLE + '<br><hr><div>获取更多RSS：<a href="https://e.org/rss">'
                               "https://e.org/rss</a></div>",
    "better-feed-not-last": "<p><small>Feed enhanced by <a href='http://planetozh.com/'>Better Feed"
                            "</a> from <a href='http://planetozh.com/blog/'>Ozh</a></small></p>"
                            "<p>Article text after it.</p>",
    "inoreader-not-first": "<p>Article first.</p><center>Ads from Inoreader</center>",
    "footer-then-image": ARTICLE + _feedx("net") + '<img src="https://example.com/photo.jpg">',
    "footer-with-a-script": ARTICLE + "<br><hr><div>获取更多RSS：<script>x()</script></div>",
}


@pytest.mark.parametrize("body", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_negative_controls_do_not_fire(body: str) -> None:
    assert _lint(HEADER + body + "\n") == []


# -- the real example --------------------------------------------------------------------


@pytest.mark.shared
def test_voa_blinken_fix_leaves_the_article() -> None:
    original = EXAMPLE.read_text(encoding="utf-8")
    (problem,) = _lint(original)
    assert problem.fix is not None and problem.fix.applicability == "safe"
    end_of_article = original.index("恢复”。</p>") + len("恢复”。</p>")
    assert original.endswith("\n")
    assert _apply(original, problem) == original[:end_of_article] + "\n"
    removed = original[problem.start : problem.end]
    assert removed.startswith("<br><hr><div>获取更多RSS：") and removed.endswith("</div>")


@pytest.mark.shared
def test_fix_removes_only_the_footer_text() -> None:
    original = EXAMPLE.read_text(encoding="utf-8")
    (problem,) = _lint(original)
    before = Document.from_text(original).body.visible_text
    after = Document.from_text(_apply(original, problem)).body.visible_text
    assert before.startswith(after.rstrip("\n"))
    assert re.sub(r"\s", "", before[len(after.rstrip("\n")):]) == (
        "获取更多RSS：https://feedx.nethttps://feedx.best")


# -- the catalogue as data ---------------------------------------------------------------


def test_shipped_catalogue_is_valid() -> None:
    data = json.loads((DATA / "boilerplate.json").read_text(encoding="utf-8"))
    schema = json.loads((DATA / "boilerplate.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(data)
    names = [entry["name"] for entry in data["entries"]]
    assert len(names) == len(set(names))
    assert _boilerplate.builtin_names() == tuple(names)


def test_every_catalogue_entry_has_a_failing_case_file() -> None:
    expected = "".join(path.read_text(encoding="utf-8") for path in CASES.glob("*.expect"))
    missing = [name for name in _boilerplate.builtin_names() if f"[{name}]" not in expected]
    assert missing == []


def test_invalid_user_entry_names_the_entry_and_field() -> None:
    entry = {"name": "x", "label": "x", "position": "middle", "fix": "safe",
             "elements": ["p"], "text": ["(unclosed"]}
    with pytest.raises(_boilerplate.CatalogueError) as error:
        _boilerplate.user_entries([entry])
    message = str(error.value)
    assert "entries[0].position" in message and "entries[0].text[0]" in message


def test_disable_a_builtin_entry() -> None:
    text = HEADER + ARTICLE + _feedx("xyz") + "\n"
    assert _lint(text, {"rules": {RULE: {"disable": ["feedx"]}}}) == []
    assert len(_lint(text, {"rules": {RULE: {"disable": ["fetchrss"]}}})) == 1


def test_disable_suggests_the_name_of_an_entry_mistyped() -> None:
    from cliplint.config import ConfigError

    with pytest.raises(ConfigError) as refused:
        _lint(HEADER + ARTICLE, {"rules": {RULE: {"disable": ["feedburner-flar"]}}})
    said = str(refused.value).splitlines()[1]
    assert said.startswith("  rules.aggregator-boilerplate.disable[0]: 'feedburner-flar' is "
                           "not one of ['feedx', ")  # a few names: all listed
    assert said.endswith("] (did you mean 'feedburner-flare'?)")


def test_user_entry_replaces_a_builtin_of_the_same_name() -> None:
    text = HEADER + ARTICLE + _feedx("xyz") + "\n"
    entry = {"name": "feedx", "label": "feedx footer (mine)", "position": "trailing",
             "fix": "unsafe", "elements": ["div"], "text": ["获取更多RSS：.*"]}
    (problem,) = _lint(text, {"rules": {RULE: {"entries": [entry]}}})
    assert problem.message.startswith("feedx footer (mine)")
    assert problem.fix is not None and problem.fix.applicability == "unsafe"


def test_user_entry_with_attributes_queries_and_the_title_page() -> None:
    entry = {"name": "cta", "label": "call to action", "position": "anywhere", "fix": "unsafe",
             "elements": ["p"], "attributes": {"data-kind": ["cta", "promo"]},
             "links": {"queries": ["(^|&)ref=feed(&|$)"], "min": 1, "max": 1},
             "conditions": ["first-link-is-title-page"]}
    config = {"rules": {RULE: {"entries": [entry]}}}

    def found(attributes: str, href: str) -> bool:
        block = f'<p {attributes}><a href="{href}">Read on</a></p>'
        return bool(_lint(HEADER + ARTICLE + block + ARTICLE + "\n", config))

    assert found('data-kind="promo"', TITLE_URL + "?ref=feed")
    assert found('data-kind="cta" class="x"', TITLE_URL.upper().replace("/A/", "/a/")
                 .replace("BLINKEN-20230614.HTML", "blinken-20230614.html") + "?a=1&ref=feed#top")
    assert not found('data-kind="ctas"', TITLE_URL + "?ref=feed")  # values compared whole
    assert not found('data-other="cta"', TITLE_URL + "?ref=feed")
    assert not found('data-kind="cta"', TITLE_URL + "?ref=feeds")
    assert not found('data-kind="cta"', TITLE_URL + "x?ref=feed")  # another path
    assert not found('data-kind="cta"', TITLE_URL.replace("https:", "http:") + "?ref=feed")
    assert not found('data-kind="cta"', TITLE_URL.replace(".com", ".org") + "?ref=feed")


# -- the text prefilter never skips a block that matches --------------------------------


def test_needed_literals_are_derived_conservatively() -> None:
    def literals(*patterns: str) -> list[list[str]] | None:
        needs = _boilerplate.text_needs(tuple(re.compile(p) for p in patterns))
        return None if needs is None else [
            ["|".join(clause.literals) for clause in clauses] for clauses in needs.alternatives]

    assert literals() is None
    assert literals(r"[A-Z][a-z]+ \d+") is None  # nothing literal: never skipped
    assert literals(r"Hello \[x\]", r"\w+") is None  # one pattern without: never skipped
    assert literals(r"(ab)?cd") == [["cd"]]  # optional parts are not needed
    assert literals(r"a(?i:bcd)e") == [["a", "e"]]  # scoped flags: left out
    assert literals(r"(foo|barbaz) x") == [["barbaz|foo", "x"]]
    assert literals(r"(foo|.*) x") == [["x"]]


def test_clauses_compare_case_as_their_pattern_does() -> None:
    (sensitive,), (insensitive,) = (
        _boilerplate.text_needs((re.compile(p),)).alternatives  # type: ignore[union-attr]
        for p in (r"Kelvin sign", r"(?i)Kelvin sign"))
    text = "xx \u212aELVIN \u017fIGN xx"
    needs_sensitive = _boilerplate.TextNeeds(((sensitive[0],),))
    needs_insensitive = _boilerplate.TextNeeds(((insensitive[0],),))
    assert sensitive[0].pattern is None and not needs_sensitive.found(text, 0, len(text))
    assert needs_insensitive.found(text, 0, len(text))
    assert not needs_insensitive.found(text, 4, len(text))  # the range is honoured
    assert (needs_sensitive.found("a Kelvin b", 2, 8)
            and not needs_sensitive.found("a Kelvin b", 3, 10))


@pytest.mark.parametrize("marker", ["获取<b>更多</b>RSS", "获取&#26356;多RSS",
                                    "获取<span>更</span>多RSS"])
def test_footer_whose_marker_is_split_in_the_source_is_still_found(marker: str) -> None:
    # The literal the prefilter looks for ("获取更多RSS") is whole only in the parsed text.
    block = _feedx("xyz").replace("获取更多RSS", marker)
    text = HEADER + ARTICLE + block + "\n"
    (problem,) = _lint(text)
    assert text[problem.start : problem.end] == block


@pytest.mark.parametrize(("block", "found"), [
    ("<p>(Feed generated with FetchRSS)</p>", True),
    ("<p>(Feed generated\r\nwith  FetchRSS)</p>", True),  # the same but for its spaces
    # html5lib drops the NUL from the tree: the span holds more than the block shows.
    ("<p>(Feed generated with FetchRSS)\x00</p>", False),
])
def test_a_block_is_found_only_where_its_tokens_hold_its_text(block: str, found: bool) -> None:
    text = HEADER + ARTICLE + block + "\n"
    problems = lint_as_the_rules_see_it(text, [RULE], "clip.md")  # (lint_text: NUL is binary)
    assert [text[p.start : p.end] for p in problems] == ([block] if found else [])


def test_user_entries_without_literals_or_with_ignorecase_still_fire() -> None:
    entries = [
        {"name": "no-literal", "label": "numbered note", "position": "trailing",
         "fix": "safe", "elements": ["p"], "text": [r"[A-Z]\w+ \d+"]},
        {"name": "no-text", "label": "example link", "position": "leading", "fix": "safe",
         "elements": ["p"], "links": {"hosts": ["example.org"], "min": 1, "max": 1}},
        # U+212A KELVIN SIGN and U+017F LONG S equal k and s only case-insensitively.
        {"name": "ignorecase", "label": "kelvin note", "position": "anywhere",
         "fix": "safe", "elements": ["div"], "text": ["(?i)kelvin sign"]},
    ]
    lead = '<p><a href="https://example.org/">x</a></p>'
    middle = "<div>\u212aELVIN \u017fIGN</div>"
    trail = "<p>Note 42</p>"
    text = HEADER + lead + ARTICLE + middle + ARTICLE + trail + "\n"
    problems = _lint(text, {"rules": {RULE: {"entries": entries}}})
    assert [text[p.start : p.end] for p in problems] == [lead, middle, trail]


# Every catalogue entry's text, in the forms it is matched in (a block of its own or a
# bare run), and near misses that hold some of its literals but not all.
_MARKERS = [
    '获取更多RSS：<a href="https://feedx.net">https://feedx.net</a>', "获取更多RSS",
    "(Feed generated with FetchRSS)", '(RSS generated with <a href="https://fetchrss.com/">'
    'FetchRSS</a>)', "(feed generated with)", "-- Delivered by Feed43 service.",
    "Delivered by Feed43", '<a href="https://kill-the-newsletter.com/feeds/x">Kill the '
    'Newsletter! feed settings</a>', "Kill the Newsletter!", "Ads from Inoreader",
    'Feed enhanced by <a href="https://planetozh.com/">Better Feed</a> from '
    '<a href="https://planetozh.com/">Ozh</a>', "Feed enhanced by Better Feed",
    f'The post <a href="{TITLE_URL}">x</a> appeared first on <a href="https://b.example">b</a>.',
    f'<a href="{TITLE_URL}">x</a> was originally published in <a href="https://b.example">b</a>'
    + MEDIUM_SENTENCE, "was originally published in" + MEDIUM_SENTENCE,
]
_WRAPPERS = ["div", "p", "span", "small", "sub", "center", "b"]
# Mostly what keeps a footer the last block that starts a line, to find some.
_BEFORE = st.sampled_from(["", "", "<br>", "<hr>", "<br>\n", "<!-- c -->", "text ", "<i>x</i>"])
_AFTER = st.sampled_from(["", "", "", "\n", "<br>", "<!-- c -->", "text"])


@st.composite
def _nested_markers(draw: st.DrawFn) -> str:
    """Markers at the bottom of random wrappers, with siblings before and after them."""
    inner = draw(st.sampled_from(_MARKERS))
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(_WRAPPERS))
        first = "".join(draw(st.lists(_BEFORE, max_size=2)))  # "text <br>": a run is left
        inner = f"{draw(_BEFORE)}<{name}>{first}{inner}</{name}>{draw(_AFTER)}"
    return draw(_BEFORE) + inner


# Every entry's literals quoted in prose: no entry is then skipped for the whole body.
_QUOTED = ("<p>“获取更多RSS” “(feed generated with FetchRSS)” “-- Delivered by Feed43 service” "
           "“Kill the Newsletter! feed settings” “Ads from Inoreader” “Feed enhanced by Better "
           "Feed from Ozh” “The post x appeared first on y”</p>")


@settings(max_examples=300, deadline=None)
@given(blocks=st.lists(_nested_markers(), min_size=1, max_size=3), quoted=st.booleans())
def test_the_text_prefilter_finds_what_matching_every_block_finds(blocks: list[str],
                                                                  quoted: bool) -> None:
    """The literals each entry needs let the search skip the whole body, elements, runs
    and the parents of runs on their text alone; without them (every block described and
    matched) the blocks found are the same."""
    from dataclasses import replace

    from cliplint_rules._boilerplate_match import find_blocks

    entries = _boilerplate.catalogue("[]", ())
    # Each entry as if text_needs could not read its patterns: never skipped on its text.
    # (Equal to the original: Entry compares without its needs.)
    unfiltered = [replace(entry) for entry in entries]
    for entry in unfiltered:
        object.__setattr__(entry, "needs", None)
    text = HEADER + (_QUOTED if quoted else "") + ARTICLE + "".join(blocks) + "\n"
    found = find_blocks(Document.from_text(text).body, entries, TITLE_URL)
    assert found == find_blocks(Document.from_text(text).body, unfiltered, TITLE_URL)


@pytest.mark.parametrize("comment", ["<!--c-->", ""])  # without one, ElementTree's walk
def test_text_index_spans_are_the_collected_plain_text(comment: str) -> None:
    from cliplint_rules import _boilerplate_match as match

    body = (f'x<p>a{comment}b<b>c<i>d</i>e</b>f<br>g</p>t&amp;<script>s</script><div>'
            f'<div>h{comment}<a href="u">i</a></div>j</div>k<img src="v">l')
    document = Document.from_bytes((HEADER + body + "\n").encode())
    index = match._TextIndex.of(document.body.fragment)
    assert match._plain_text(document.body.fragment) == index.text
    for element in document.body.elements():
        content = match._describe(element)
        assert content is not None
        start, end = index.spans[element]
        assert index.text[start:end] == content.plain, element.tag


# -- configuration end to end through the command line -----------------------------------

USER_CONFIG = """\
[[rules.aggregator-boilerplate.entries]]
name = "planet-example"
label = "Planet Example syndication note"
position = "trailing"
fix = "safe"
elements = ["p"]
text = ['Syndicated by \\[Planet Example\\]']
links = { hosts = ["planet.example.org"], min = 1, max = 1 }
"""
PLANET_NOTE = '<p><em>Syndicated by <a href="https://planet.example.org/">Planet Example</a></em></p>'


def test_user_entry_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cliplint.toml").write_text(USER_CONFIG, encoding="utf-8")
    clipping = tmp_path / "clip.md"
    clipping.write_text(HEADER + ARTICLE + PLANET_NOTE + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert main(["--select", RULE, "--format", "json", "clip.md"]) == 1
    report = json.loads(capsys.readouterr().out)
    (problem,) = [p for p in report["problems"]]
    assert problem["rule"] == RULE and problem["message"].endswith("[planet-example]")

    assert main(["--select", RULE, "--fix", "clip.md"]) == 0
    assert clipping.read_text(encoding="utf-8") == HEADER + ARTICLE + "\n"


def test_invalid_user_entry_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cliplint.toml").write_text(
        USER_CONFIG.replace('position = "trailing"', 'position = "middle"'), encoding="utf-8")
    (tmp_path / "clip.md").write_text(HEADER + ARTICLE + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["clip.md"]) == 2
    error = capsys.readouterr().err
    assert "cliplint.toml:4: rules.aggregator-boilerplate.entries[0].position: 'middle' is not one of" in error
    assert "'middle'" in error


@pytest.mark.parametrize("field", ['class = ["promo"]',
                                   'attributes = { data-kind = ["promo"] }'])
def test_text_run_entry_asking_for_a_class_or_attributes_is_a_config_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        field: str) -> None:
    # A bare run of text carries no class and no attribute: such an entry's test could
    # not apply to the run, which would then match without it.
    (tmp_path / "cliplint.toml").write_text(
        USER_CONFIG.replace('elements = ["p"]', f'elements = ["p", "#text"]\n{field}'),
        encoding="utf-8")
    (tmp_path / "clip.md").write_text(HEADER + ARTICLE + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["clip.md"]) == 2
    error = capsys.readouterr().err
    assert ("cliplint.toml:6: rules.aggregator-boilerplate.entries[0].elements: "
            "['p', '#text']: '#text' cannot be one of an entry's elements when it asks for "
            f"{'a class' if field.startswith('class') else 'attributes'}") in error
    with pytest.raises(_boilerplate.CatalogueError, match=r"entries\[0\]\.elements"):
        _boilerplate.user_entries([{"name": "x", "label": "x", "position": "anywhere",
                                    "fix": "safe", "elements": ["#text"], "class": ["c"]}])


def test_element_entry_may_ask_for_a_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cliplint.toml").write_text(
        USER_CONFIG.replace('elements = ["p"]', 'elements = ["p"]\nclass = ["note"]'),
        encoding="utf-8")
    (tmp_path / "clip.md").write_text(
        HEADER + ARTICLE + PLANET_NOTE.replace("<p>", '<p class="note">') + "\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--select", RULE, "--format", "json", "clip.md"]) == 1
    (problem,) = json.loads(capsys.readouterr().out)["problems"]
    assert problem["message"].endswith("[planet-example]")


# -- generated bodies: the footer is found exactly, and nothing else ---------------------

_words = st.text(alphabet=st.sampled_from(list("abc xyz 中国新闻 .,:：()[]-") + ["\u00a0", "\u3000"]),
                 min_size=1, max_size=10)
_inline = st.one_of(
    _words,
    _words.map(lambda w: f"<b>{w}</b>"),
    _words.map(lambda w: f'<a href="https://feedx.net">{w}</a>'),  # aggregator links in prose
    # Markers quoted in prose; bare, after a <br>, they would be the real footers.
    st.sampled_from(["<br>", "<br />", "&amp;", "&nbsp;", "<!-- c -->", "“获取更多RSS：”",
                     "“(Feed generated with FetchRSS)”", "“-- Delivered by Feed43 service”"]),
)
_paragraphs = st.lists(st.lists(_inline, min_size=1, max_size=5).map(
    lambda parts: "<p>" + "".join(parts) + "</p>"), min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(paragraphs=_paragraphs, footer=st.sampled_from([None, *FEEDX_DOMAINS]),
       gap=st.sampled_from(["", "\n", " "]), crlf=st.booleans())
def test_generated_bodies(paragraphs: list[str], footer: str | None, gap: str,
                          crlf: bool) -> None:
    block = "" if footer is None else _feedx(footer)
    text = HEADER + "".join(paragraphs) + gap + block + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    problems = _lint(text)
    assert [text[p.start : p.end] for p in problems] == ([block] if block else [])


# -- the shared corpus -------------------------------------------------------------------

_AMAZON_PIXEL = re.compile(r'<img [^>]*src="//ir-na\.amazon-adsystem\.com/e/ir\?[^"]*"[^>]* width="1" '
                           r'height="1"')
_FEEDX_END = re.compile(r'<br><hr><div>获取更多RSS[：:]<br>(<a href="https://feedx\.[a-z]+"[^>]*>'
                        r'https://feedx\.[a-z]+</a> ?<br>)+</div>\n?\Z')


@pytest.mark.shared
def test_corpus_counts_match_a_plain_script() -> None:
    corpus = require_corpus()
    # (No cache: it would be left in the folder the tests run in, the repository.)
    result = run_cliplint("--isolated", "--no-cache", "--select", RULE, "--format", "json",
                          str(corpus))
    report = json.loads(result.stdout)
    assert report["files_checked"] == 3000
    assert not [p for p in report["problems"] if p["rule"] != RULE]  # no internal-error
    per_entry: dict[str, set[str]] = {}
    for problem in report["problems"]:
        name = problem["message"].rsplit("[", 1)[1].rstrip("]")
        per_entry.setdefault(name, set()).add(problem["path"])
    assert len(report["problems"]) == sum(map(len, per_entry.values()))  # one per file

    files = {str(path): path.read_text(encoding="utf-8") for path in corpus.rglob("*.md")}
    feedx = {path for path, text in files.items() if _FEEDX_END.search(text)}
    better_feed = {path for path, text in files.items()
                   if "<p><small>Feed enhanced by <a" in text.rstrip("\n")[-300:]}
    amazon = {path for path, text in files.items() if _AMAZON_PIXEL.search(text)}
    assert per_entry == {"feedx": feedx, "better-feed": better_feed, "amazon-associates": amazon}
    assert (len(feedx), len(better_feed), len(amazon)) == (447, 421, 12)
    # The whole Better Feed block, <hr /> to the end, the PHP residue with it.
    for problem in report["problems"]:
        if problem["message"].endswith("[better-feed]"):
            text = files[problem["path"]]
            removed = text[problem["fix"]["edits"][0]["start"] : problem["fix"]["edits"][0]["end"]]
            assert removed.startswith("<hr /><p><small>&copy;") and "get_post_time('Y')" in removed
            assert text[problem["fix"]["edits"][0]["end"] :] == "\n"
            assert "get_post_time" not in text[: problem["fix"]["edits"][0]["start"]]


# -- work is linear in the size of the body ------------------------------------------------


def _traced_lines(body: str, found: bool = True) -> int:
    """Lines of Python the rule runs on ``body`` (parsed beforehand): a measure of work
    that, unlike time, does not depend on the machine (see ``traced_lines``)."""
    from cliplint_rules import aggregator_boilerplate

    document = Document.from_text(HEADER + body + "\n")
    document.body  # noqa: B018 (the parse is not the rule's work)
    problems: list[object] = []
    lines = traced_lines(lambda: problems.extend(aggregator_boilerplate.check(document, {})))
    assert bool(problems) == found  # the footer is still found, however deep
    return lines


FETCHRSS_NOTE = "(Feed generated with FetchRSS)"
DEEP = {
    # 4,000 unclosed <div>s around a footer took 8.6 s: each <div> was described whole.
    "unclosed-divs": lambda n: "<div>" * n + ARTICLE + _feedx("net"),
    # A footer at the bottom of as many closed <div>s.
    "closed-divs": lambda n: "<div>" * n + ARTICLE + f"<div>{FETCHRSS_NOTE}</div>" + "</div>" * n,
    # Many footers in a row: each was checked against every token after it.
    "repeated-footers": lambda n: ARTICLE + f"<p>{FETCHRSS_NOTE}</p>" * n,
    "nested-flares": lambda n: ARTICLE + '<div class="feedflare">' * n
    + '<a href="http://feeds.feedburner.com/~ff/E?a=1">x</a>' + "</div>" * n,
}


@pytest.mark.parametrize("shape", DEEP.values(), ids=DEEP.keys())
def test_work_is_linear_in_depth_and_repetition(shape: object) -> None:
    assert _traced_lines(shape(800)) < 2.2 * _traced_lines(shape(400))  # type: ignore[operator]


def test_nested_matching_elements_cost_the_same_per_element() -> None:
    """Spans in spans all match a footer's text; past MAX_BLOCK_ELEMENTS nested ones
    a block is too big to be boilerplate, and none is described whole."""
    from cliplint_rules._boilerplate_match import MAX_BLOCK_ELEMENTS

    def spans(count: int) -> str:
        return ARTICLE + "<br><br>" + "<span>" * count + FETCHRSS_NOTE + "</span>" * count

    assert _traced_lines(spans(MAX_BLOCK_ELEMENTS // 2))  # found when it is small
    assert _traced_lines(spans(800), found=False) < 2.2 * _traced_lines(spans(400), found=False)
