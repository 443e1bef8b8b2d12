"""Attendance views, by moment: the door, people, the kiosk, her rights, moving data.

`common` holds the access helpers they share (one per object type: anything
outside the user's organisations is a 404).
"""
