"""Business rules that exist only for the Passcreator v3 API: templates' passes and
their JSON view, bundles, remote images, pass queries, segments, e-mail sendouts and
v3 jobs. Of the Passworks-shaped services one level up, only campaigns.py calls in
here (a template's e-mail sendout is checked when its fields are stored)."""
