"""Inputs of the review form: one tag per kind of field, each with its label and its error."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


def _wrap(field, label, control, css=""):
    """A labelled control with the field's error under it."""
    error = (
        format_html('<span class="field-error" id="{}-error">{}</span>', field.id, field.error)
        if field.error
        else ""
    )
    classes = css + (" has-error" if field.error else "") + (" is-low" if field.low else "")
    ref = format_html(' data-ref="{}"', field.ref) if field.ref else ""
    flag = (
        format_html(' <span class="flag" title="{}">?</span>', "Độ tin cậy thấp: hãy kiểm tra")
        if field.low
        else ""
    )
    return format_html(
        '<div class="fld {}"{}><label for="{}">{}{}</label>{}{}</div>',
        classes,
        ref,
        field.id,
        label,
        flag,
        control,
        error,
    )


def _attrs(field):
    described = (
        format_html(' aria-invalid="true" aria-describedby="{}-error"', field.id) if field.error else ""
    )
    return format_html('name="{}" id="{}"{}', field.name, field.id, described)


@register.simple_tag
def text_input(field, label, css="", kind="text", placeholder="", inputmode="", datalist=""):
    """<input> for a field."""
    extra = format_html(' inputmode="{}"', inputmode) if inputmode else ""
    if datalist:
        extra += format_html(' list="{}"', datalist)
    control = format_html(
        '<input type="{}" {} value="{}" placeholder="{}"{}>',
        kind,
        _attrs(field),
        field.value,
        placeholder,
        extra,
    )
    return _wrap(field, label, control, css)


@register.simple_tag
def text_area(field, label, css="", rows=2):
    """<textarea> for a field."""
    control = format_html('<textarea {} rows="{}">{}</textarea>', _attrs(field), rows, field.value)
    return _wrap(field, label, control, css)


@register.simple_tag
def select(field, label, choices, css="", blank=""):
    """<select> for a field; a value not among the choices is kept as an extra option."""
    values = [(str(v), str(lab)) for v, lab in (choices or [])]
    if field.value and field.value not in {v for v, _ in values}:
        values.append((field.value, field.value))
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, " selected" if v == field.value else "", lab) for v, lab in values),
    )
    empty = format_html('<option value="">{}</option>', blank) if blank is not None else ""
    control = format_html("<select {}>{}{}</select>", _attrs(field), empty, options)
    return _wrap(field, label, control, css)


@register.simple_tag
def indicator_select(field, label, names, css=""):
    """The catalogue choice: the selected indicator only; the page's script adds the whole catalogue."""
    name = names.get(field.value, field.value) if field.value else ""
    selected = (
        format_html('<option value="{}" selected>{}</option>', field.value, name) if field.value else ""
    )
    control = format_html(
        '<select {} class="indicator-select"><option value="">{}</option>{}</select>',
        _attrs(field),
        "— chưa khớp danh mục —",
        selected,
    )
    return _wrap(field, label, control, css)


@register.simple_tag
def hidden(field):
    """<input type=hidden> for a field."""
    return format_html('<input type="hidden" name="{}" value="{}">', field.name, field.value)
