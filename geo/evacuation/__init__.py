"""Evacuation planning (DESIGN §5): the road graph, the CCRP planner and its exact check."""
