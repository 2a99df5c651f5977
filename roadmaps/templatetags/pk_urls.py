"""`{% pk_url "roadmaps:item-edit" item.pk %}`: the address of an object's view by its id, as
`{% url %}` gives it, without a full reverse() each time (portal/pk_urls.py says how)."""

from django import template

from portal import pk_urls

register = template.Library()
register.simple_tag(pk_urls.pk_url, name="pk_url")
