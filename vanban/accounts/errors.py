from vanban.core.errors import VanbanError


class AccountError(VanbanError):
    pass


class TokenError(VanbanError):
    status = 401
