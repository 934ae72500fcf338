"""The filesystem broker keeps every file it writes under its own folder (var/ by default)."""

import importlib

from kombu import Connection


def test_filesystem_broker_writes_nothing_outside_its_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    monkeypatch.delenv("CELERY_FILESYSTEM_FOLDER", raising=False)
    import config.settings.celery as celery_settings

    try:
        options = importlib.reload(celery_settings).CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "processed_folder"):
            (tmp_path / options[key]).mkdir(parents=True, exist_ok=True)

        with Connection("filesystem://", transport_options=options) as connection:
            queue = connection.SimpleQueue("folders-check")
            queue.put({"hello": "world"})
            assert queue.get(timeout=1).payload == {"hello": "world"}
            queue.close()
    finally:
        monkeypatch.undo()
        importlib.reload(celery_settings)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["var"]
    assert any((tmp_path / "var" / "celery-control").iterdir())
