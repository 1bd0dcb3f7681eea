from vanban.core.errors import VanbanError


class UnitError(VanbanError):
    pass


class DelegationError(VanbanError):
    pass
