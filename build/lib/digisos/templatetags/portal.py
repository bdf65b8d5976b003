from django import template

register = template.Library()


@register.filter
def startswith(value, prefix) -> bool:
    return str(value).startswith(str(prefix))
