"""Renderers of the provider API: a file's bytes as they are, problems still as JSON."""

from __future__ import annotations

from rest_framework.renderers import BaseRenderer, JSONRenderer


class BinaryRenderer(BaseRenderer):
    """Lets a client ask for a file's media type (a subclass names it): the view's bytes go out as they
    are; problems are still written as JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class PdfRenderer(BinaryRenderer):
    """Lets a client ask for application/pdf; problems are still written as JSON."""

    media_type = "application/pdf"
    format = "pdf"


class FileRenderer(BinaryRenderer):
    """Lets a client ask for a file's bytes; problems are still written as JSON."""

    media_type = "application/octet-stream"
    format = "file"
