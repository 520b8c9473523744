"""Business rules that exist only for the Passcreator v3 API: templates' passes and
their JSON view, bundles, remote images, pass queries, segments, e-mail sendouts and
v3 jobs. Of the Passworks-shaped services one level up, only campaigns.py (a template's
sendouts are checked when its fields are stored) and passes.py (a restored revision gives
back its userProvidedId and extras, revision_properties.py) call in here."""
