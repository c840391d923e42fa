"""The fake unit of work behaves as a transaction: what is not committed is rolled back."""

from tests.fakes import FakeUnitOfWork


class Box:
    def __init__(self) -> None:
        self.items: list[int] = []


def test_a_fake_unit_of_work_rolls_back_what_was_not_committed() -> None:
    uow = FakeUnitOfWork(box=Box())
    with uow:
        uow.box.items.append(1)
        uow.audit.record("add", "box", "1")
    assert uow.box.items == [] and uow.audit.recorded == []
    with uow:
        uow.box.items.append(2)
        uow.commit()
    assert uow.box.items == [2] and uow.commits == 1
