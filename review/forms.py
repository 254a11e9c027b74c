from django import forms

from .models import Criterion, Result

COMMENT_ROWS = 5
SELECT = "form-select form-select-sm"
INPUT = "form-control form-control-sm"


def comment_targets(data):
    """(value, label) choices for pinning a comment: the declaration's fields and its indicators."""
    from declarations.models import DepartmentDeclaration, ProjectDeclaration

    labels = {}
    for model in (ProjectDeclaration, DepartmentDeclaration):
        for field in model._meta.get_fields():
            if hasattr(field, "verbose_name"):
                labels.setdefault(field.name, str(field.verbose_name))
    labels.update({"spending_plan": "资金支出计划", "goal_items": "绩效目标条目", "money": "收支明细",
                   "sub_goals": "分项绩效目标", "safeguards": "工作保障措施"})
    choices = [("", "整体意见（不针对具体位置）")]
    for key in data:
        if key in labels and key != "indicators":
            choices.append((key, labels[key]))
    for indicator in data.get("indicators") or []:
        target = indicator_target(indicator)
        term = "长期" if indicator.get("term") == "long" else ""
        choices.append((target, f"指标：{term}{indicator['category']} / {indicator['subcategory']} / {indicator['name']}"))
    return choices


def indicator_target(indicator):
    return f"indicator:{indicator.get('term') or 'annual'}/{indicator['category']}/{indicator['subcategory']}/{indicator['name']}"


class CommentsMixin:
    def add_comment_fields(self, targets):
        self.target_choices = targets
        for n in range(COMMENT_ROWS):
            self.fields[f"target_{n}"] = forms.ChoiceField(
                label="位置", choices=targets, required=False, widget=forms.Select(attrs={"class": SELECT})
            )
            self.fields[f"criterion_{n}"] = forms.ChoiceField(
                label="审核要点", choices=[("", "审核要点")] + list(Criterion.choices), required=False,
                widget=forms.Select(attrs={"class": SELECT}),
            )
            self.fields[f"text_{n}"] = forms.CharField(
                label="意见", required=False, max_length=2000,
                widget=forms.TextInput(attrs={"class": INPUT, "placeholder": "意见"}),
            )

    def clean_comments(self):
        comments = []
        labels = dict(self.target_choices)
        for n in range(COMMENT_ROWS):
            text = self.cleaned_data.get(f"text_{n}", "").strip()
            criterion = self.cleaned_data.get(f"criterion_{n}", "")
            target = self.cleaned_data.get(f"target_{n}", "")
            if not text:
                continue
            if not criterion:
                self.add_error(f"criterion_{n}", "请为这条意见选择审核要点")
                continue
            comments.append({"target": target, "target_label": labels.get(target, ""), "criterion": criterion,
                             "text": text})
        return comments

    @property
    def comment_rows(self):
        return [(self[f"target_{n}"], self[f"criterion_{n}"], self[f"text_{n}"]) for n in range(COMMENT_ROWS)]


class ReturnForm(CommentsMixin, forms.Form):
    result = forms.ChoiceField(
        label="审核结果", choices=[(Result.FAIR, Result.FAIR.label), (Result.POOR, Result.POOR.label)],
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="中、差都把申报退回单位（状态变为“退回修改”），填报人按意见修改后可重新提交；"
                  "差表示本次申报不予通过，这一结论记入绩效目标审核表。",
    )
    reason = forms.CharField(
        label="退回理由", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}), max_length=4000
    )

    def __init__(self, *args, targets, **kwargs):
        # Ids of its own (return_reason, return_target_0 …): the approve form sits on the same page.
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)
        self.add_comment_fields(targets)

    def clean(self):
        data = super().clean()
        data["comments"] = self.clean_comments()
        return data


class ApproveForm(CommentsMixin, forms.Form):
    result = forms.ChoiceField(
        label="审核结果", choices=[(Result.EXCELLENT, Result.EXCELLENT.label), (Result.GOOD, Result.GOOD.label)],
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="优、良都是审核通过（状态变为“审核通过”，之后可以公开）。",
    )
    reason = forms.CharField(
        label="审核意见", widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}), required=False,
        max_length=4000,
    )

    def __init__(self, *args, targets, **kwargs):
        kwargs.setdefault("auto_id", "approve_%s")
        super().__init__(*args, **kwargs)
        self.add_comment_fields(targets)

    def clean(self):
        data = super().clean()
        data["comments"] = self.clean_comments()
        return data


class UnpublishForm(forms.Form):
    reason = forms.CharField(label="撤回理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
