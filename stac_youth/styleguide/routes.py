"""The style guide page: the components, rendered once per language and colour mode."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup

from . import bp, samples
from .forms import sample_form


@bp.route("/styleguide")
def index():
    """Every component with sample data, in English and Spanish, light and dark."""
    copies = []
    for copy in samples.COPIES:
        with force_locale(copy.lang):
            html = render_template("styleguide/_components.html", copy=copy,
                                   s=samples.build(copy, current_app.static_folder), form=sample_form(copy.prefix))
            # Our own template's autoescaped output (invented sample data, no user text), placed in the page as is.
            copies.append({"part": copy, "title": samples.copy_title(copy), "html": Markup(html)})  # noqa: S704  # nosec B704
    return render_template("styleguide/index.html", copies=copies)
