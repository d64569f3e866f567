"""Delete an account and everything fitlink holds on the person."""

from sqlalchemy import delete, select

from ..archive import folders
from ..archive.jobs import cancel_imports
from ..connections import revoke
from ..extensions import db
from ..models import Connection, User

def delete_account(user_id: int) -> None:
    """Revoke each connection's grant (best effort), then delete the user and, by cascade, all their rows,
    and the uploads waiting for their import.

    Every table that holds the person's data references users.id with ON DELETE
    CASCADE, so one DELETE removes it all in one transaction, including rows a
    sync job running at the same moment has just written.
    """
    connections = db.session.execute(select(Connection).filter_by(user_id=user_id)).scalars().all()
    for connection in connections:
        revoke(connection)  # best effort: a provider's failure never keeps the person's data here
    uploads = cancel_imports(user_id)  # a running import stops before writing more
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.commit()
    for key in uploads:
        folders.remove(key)
