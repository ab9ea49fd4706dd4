from django import template

register = template.Library()


@register.filter
def feedback_of(prompts, module_pk):
    """The learner's « utile » for a module: True, False, or None when not given yet."""
    return prompts.feedback.get(module_pk) if prompts is not None else None


@register.filter
def asks_feedback_for(prompts, module_pk) -> bool:
    """Whether the page offers the one-click feedback on this module."""
    return prompts is not None and module_pk in prompts.feedback
