"""Grid forms: one form for the table's own fields and one per indicator row (prefix row-<pk>)."""
from decimal import Decimal

from django import forms

from declarations import values
from declarations.models import BudgetYear

from .models import DeviationCause, Judgement, Likelihood

MONEY = {"max_digits": 18, "decimal_places": 6, "min_value": Decimal("0"), "required": False}


def _reached(raw):
    """A reached value read with the declaration's grammar; a typo after a comparator is an error."""
    raw = (raw or "").strip()
    try:
        values.parse(raw, strict=True)
    except values.ValueSyntaxError as error:
        raise forms.ValidationError(str(error)) from None
    return raw


class Styled(forms.Form):
    """Bootstrap classes on every widget (the grid forms render their fields one by one)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm")


class RoundForm(Styled):
    year = forms.ModelChoiceField(BudgetYear.objects.all(), label="预算年度", empty_label=None)
    period_label = forms.CharField(label="监控期间", max_length=20, initial="1-7月")
    checkpoint_month = forms.IntegerField(label="截至月份", min_value=1, max_value=12, initial=7)


class MonitoringReportForm(Styled):
    version = forms.CharField(widget=forms.HiddenInput)
    executed_amount = forms.DecimalField(label="截至目前执行数（万元）", **MONEY)


class MonitoringValueForm(Styled):
    reached_value = forms.CharField(label="截至目前完成值", max_length=300, required=False)
    expected_value = forms.CharField(label="全年预计完成值", max_length=300, required=False)
    deviation_cause = forms.ChoiceField(label="偏差原因", choices=[("", "—")] + DeviationCause.choices, required=False)
    deviation_text = forms.CharField(label="偏差原因说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    likelihood = forms.ChoiceField(label="完成目标可能性", choices=Likelihood.choices)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reached_value(self):
        return _reached(self.cleaned_data["reached_value"])

    def clean_expected_value(self):
        return _reached(self.cleaned_data["expected_value"])

    def clean(self):
        data = super().clean()
        if data.get("likelihood") not in (None, Likelihood.CERTAIN) and not data.get("deviation_cause"):
            self.add_error("deviation_cause", "完成目标可能性不是“确定能”时，请选择偏差原因")
        return data


class SelfEvaluationForm(Styled):
    version = forms.CharField(widget=forms.HiddenInput)
    initial_budget = forms.DecimalField(label="年初预算数（万元）", **MONEY)
    full_year_budget = forms.DecimalField(label="全年预算数（万元）", **MONEY)
    executed_amount = forms.DecimalField(label="全年执行数（万元）", **MONEY)
    goal_achieved = forms.CharField(label="实际完成情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SelfEvaluationValueForm(Styled):
    reached_value = forms.CharField(label="实际完成值", max_length=300, required=False)
    analysis = forms.CharField(label="偏差原因分析及改进措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reached_value(self):
        return _reached(self.cleaned_data["reached_value"])


class JudgementForm(Styled):
    judgement = forms.ChoiceField(label="评判", choices=[("", "—")] + Judgement.choices, required=False)
    judged_score = forms.DecimalField(label="或直接评分", max_digits=7, decimal_places=2, min_value=0, required=False)


class CommentForm(Styled):
    comment = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def row_forms(form_class, values, data=None, initial_fields=()):
    """One form per value row, bound to POST data when given, else filled from the row."""
    return [
        (value, form_class(data, prefix=f"row-{value.pk}",
                           initial={name: getattr(value, name) for name in initial_fields}))
        for value in values
    ]
