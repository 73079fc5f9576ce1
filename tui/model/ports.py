"""The MIM Service's own TCP ports: its web service (the Resource Management Service, 5725) and
its Security Token Service (5726). The model keeps the password portals off them, the pre-flight
checks they are free, and the checklist looks for their firewall rules and calls the service."""

SERVICE_PORT = 5725  # the web service
STS_PORT = 5726  # the Security Token Service
SERVICE_PORTS = (SERVICE_PORT, STS_PORT)
