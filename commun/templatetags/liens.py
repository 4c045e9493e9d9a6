from django import template

from commun.liens import nom_de_version

register = template.Library()
register.filter("nom_de_version", nom_de_version)
