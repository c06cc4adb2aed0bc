"""The storefront's one table: the search vocabulary. It keeps the name it had in the kernel
(`marketplace_searchterm`, with PostgreSQL's trigram index on it made by the kernel's migration 0004)."""

from django.db import models


class SearchTerm(models.Model):
    """A word that occurs in the search index; misspelt query words are matched against these."""

    word = models.CharField(max_length=80, unique=True)

    class Meta:
        db_table = "marketplace_searchterm"

    def __str__(self) -> str:
        return self.word
