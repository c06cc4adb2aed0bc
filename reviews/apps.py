from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    label = "reviews"
    verbose_name = _("Verified reviews")

    def ready(self) -> None:
        from core.hooks import booking_sections, case_items, order_sections, provider_dashboard_counts
        from core.personal_data import declare
        from reviews.cases import case_items as review_case_items
        from reviews.dashboard import dashboard_counts
        from reviews.personal_data import DECLARATION
        from reviews.sections import booking_review_section, order_review_section

        # Reviews to moderate and reports to decide, on the careteam's case board.
        case_items.register(review_case_items)
        # The patient's completed booking and fulfilled order invite a review (or show it).
        booking_sections.register(booking_review_section)
        order_sections.register(order_review_section)
        # Published reviews awaiting the provider's reply, on its dashboard.
        provider_dashboard_counts.register(dashboard_counts)
        # What reviews hold about a person: export and erasure (privacy).
        declare(DECLARATION)
