"""gridmap's tables (DESIGN §3), one module per family; import them from here."""

from geo.models.accounts import ApiToken, LoginAttempt, UserSession
from geo.models.base import SRID, Base
from geo.models.changes import EnterpriseCluster, LayerChange
from geo.models.coverage import (
    CoverageClosed,
    CoverageClosedEnterprise,
    CoverageEnterpriseMonth,
    CoverageGridMonth,
    CoverageGridTotal,
    CoverageMemberMonth,
    CoverageMonth,
)
from geo.models.edits import EditOperation
from geo.models.emergency import AuditLog, EvacuationPlan, Hazard
from geo.models.enterprise import Enterprise, Problem, Visit
from geo.models.facilities import KeySite, Network, ParkingZone, Road, Shelter
from geo.models.hierarchy import BoundaryVersion, CodeLineage, Community, Grid, Microgrid, Park
from geo.models.people import Staff, StaffAssignment, User, UserGrid

__all__ = [
    "SRID",
    "ApiToken",
    "AuditLog",
    "Base",
    "BoundaryVersion",
    "CodeLineage",
    "Community",
    "CoverageClosed",
    "CoverageClosedEnterprise",
    "CoverageEnterpriseMonth",
    "CoverageGridMonth",
    "CoverageGridTotal",
    "CoverageMemberMonth",
    "CoverageMonth",
    "EditOperation",
    "Enterprise",
    "EnterpriseCluster",
    "EvacuationPlan",
    "Grid",
    "Hazard",
    "KeySite",
    "LayerChange",
    "LoginAttempt",
    "Microgrid",
    "Network",
    "Park",
    "ParkingZone",
    "Problem",
    "Road",
    "Shelter",
    "Staff",
    "StaffAssignment",
    "User",
    "UserGrid",
    "UserSession",
    "Visit",
]
