from peerspace import permissions


def roles(request):
    return {"user_roles": permissions.roles(request.user)}
