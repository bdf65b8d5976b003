"""``{% constant %}…{% endconstant %}``: a stretch of a template that reads nothing of the request, rendered
once per process and language and then given again as it is (issue 19).

The page frame (templates/base.html, base_bare.html) is the same for every user in one language: its
``{% translate %}`` literals, ``{% url %}`` of a named page, ``{% static %}`` files. Rendering them on
every request cost the form and the call-off page a noticeable part of their CPU.

Only text, comments, ``{% translate "literal" %}`` (no ``as``, no filter), ``{% url 'name' 'literal' …%}``
(no ``as``) and ``{% static 'literal' %}`` (no ``as``) may stand inside: anything else — a variable, a tag
that reads the context — is refused when the template is compiled (TemplateSyntaxError), so nothing of
one user or one body can ever be kept and shown to another. What is kept depends only on the language,
the URL conf and script prefix of the thread, and autoescaping; it is forgotten when a setting changes
(tests).
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.template.base import TextNode, Variable
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()

#: Bumped when a setting changes (STATIC_URL, STORAGES, LANGUAGES, ROOT_URLCONF … in tests): all kept
#: fragments are rendered anew.
_generation = [0]


def _settings_changed(**kwargs) -> None:
    _generation[0] += 1


setting_changed.connect(_settings_changed, dispatch_uid="digisos.templatetags.constant")


def _plain(expression) -> bool:
    """A filter expression that is a string literal without filters."""
    return not expression.filters and isinstance(expression.var, str)


def _constant(node) -> bool:
    if isinstance(node, TextNode | CommentNode):
        return True
    if isinstance(node, TranslateNode):
        var = node.filter_expression.var
        return (
            node.asvar is None
            and not node.filter_expression.filters
            and isinstance(var, Variable)
            and var.literal is not None
            and (node.message_context is None or _plain(node.message_context))
        )
    if isinstance(node, URLNode):
        return (
            node.asvar is None
            and _plain(node.view_name)
            and all(_plain(arg) for arg in node.args)
            and all(_plain(value) for value in node.kwargs.values())
        )
    if isinstance(node, StaticNode):
        return node.varname is None and _plain(node.path)
    return False


#: Where one render of a template keeps the language, URL conf and script prefix it runs under (its
#: render_context: one per template render, an include has its own): asked once, not by each of the
#: page's dozens of stretches (each asks three context-local values, issue 19).
_STATE = "digisos.constant.state"


def _state() -> tuple:
    return (_generation[0], get_language(), get_urlconf(), get_script_prefix())


class ConstantNode(template.Node):
    def __init__(self, nodelist, *, per_render: bool = True):
        self.nodelist = nodelist
        self._kept: dict[tuple, str] = {}
        # False inside {% language %}: the language changes within the render there.
        self.per_render = per_render

    def render(self, context):
        if self.per_render:
            state = context.render_context.get(_STATE)
            if state is None:
                state = context.render_context[_STATE] = _state()
        else:
            state = _state()
        key = (*state, context.autoescape)
        html = self._kept.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(self._kept) > 64:  # a few languages × settings generations (tests)
                self._kept.clear()
            self._kept[key] = html
        return html


@register.tag
def constant(parser, token):
    """``{% constant %}…{% endconstant %}``: see the module's description."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% constant %} takes no arguments")
    nodelist = parser.parse(("endconstant",))
    parser.delete_first_token()
    for node in nodelist:
        if not _constant(node):
            raise template.TemplateSyntaxError(
                "{% constant %} holds only text, comments and {% translate %}, {% url %}, {% static %} of literals: "
                f"not {type(node).__name__} ({getattr(getattr(node, 'token', None), 'contents', '')!r})"
            )
    # parser.command_stack: the block tags being compiled around this one (in this template).
    in_language = any(command == "language" for command, _token in parser.command_stack)
    return ConstantNode(nodelist, per_render=not in_language)
