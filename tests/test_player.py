"""The play timer: steps per frame, pausing when training stops, and a bounded frame."""

from explorer.app.player import FRAME_BUDGET_S, Player


class FakeTraining:
    """A step callback on a fake clock: each step costs ``cost`` seconds."""

    def __init__(self, cost: float, limit: int | None = None):
        self.now = 0.0
        self.cost = cost
        self.limit = limit
        self.calls: list[int] = []

    def clock(self) -> float:
        return self.now

    def step(self, n: int) -> int:
        if self.limit is not None:
            n = max(0, min(n, self.limit - sum(self.calls)))
        self.calls.append(n)
        self.now += self.cost * n + 0.001  # the views' redraw: once per call
        return n


def test_fast_steps_take_the_steps_per_frame_asked_for(qtbot):
    training = FakeTraining(cost=1e-5)
    player = Player(training.step, clock=training.clock)
    player.set_steps_per_frame(50)
    for _ in range(4):
        player._tick()
    assert training.calls == [1, 50, 50, 50]


def test_slow_steps_are_capped_to_the_frame_budget(qtbot):
    training = FakeTraining(cost=0.05)  # 500 steps would block the window for 25 s
    player = Player(training.step, clock=training.clock)
    player.set_steps_per_frame(500)
    for _ in range(5):
        player._tick()
    assert training.calls[0] == 1
    assert all(1 <= n <= FRAME_BUDGET_S / 0.05 for n in training.calls)
    assert max(training.calls) == 1  # 0.05 s a step: two would already exceed 0.1 s


def test_play_pauses_when_training_stops(qtbot):
    training = FakeTraining(cost=1e-5, limit=3)
    player = Player(training.step, clock=training.clock)
    player.set_steps_per_frame(2)
    with qtbot.waitSignal(player.playingChanged):
        player.play()
    assert player.playing
    qtbot.waitUntil(lambda: not player.playing, timeout=3000)
    assert sum(training.calls) == 3
