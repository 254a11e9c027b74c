"""Object permissions (django-rules); querysets in selectors.py enforce the same scope."""
import rules


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and user.is_administrator


@rules.predicate
def is_unit_filler(user, declaration):
    return declaration is not None and user.is_authenticated and user.is_filler and user.unit_id == declaration.unit_id


@rules.predicate
def is_bureau_reviewer(user, declaration):
    return (
        declaration is not None
        and user.is_authenticated
        and user.is_reviewer
        and user.bureau_id == declaration.unit.bureau_id
    )


can_view_declaration = is_administrator | is_unit_filler | is_bureau_reviewer

rules.add_perm("declarations.view_declaration", can_view_declaration)
