"""Settings read from PREP_ environment variables."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from settings import PACKAGED_MODEL, SettingsError, load_settings


def test_defaults_work_on_a_fresh_machine():
    settings = load_settings({})
    assert settings.data_dir.name == "data"
    assert settings.embedding_model == PACKAGED_MODEL
    assert (settings.new_per_day, settings.reviews_per_day) == (20, 200)
    assert settings.desired_retention == 0.9
    assert settings.day_start_hour == 4
    assert settings.learning_steps == (timedelta(minutes=1), timedelta(minutes=10))
    assert (settings.model_path() / "config.json").is_file()


def test_variables_override_defaults(tmp_path):
    settings = load_settings(
        {
            "PREP_DATA_DIR": str(tmp_path),
            "PREP_NEW_PER_DAY": "5",
            "PREP_DESIRED_RETENTION": "0.85",
            "PREP_LEARNING_STEPS": "1m 10m 1h",
            "PREP_DAY_START_HOUR": "0",
            "PREP_TIMEZONE": "Asia/Kolkata",
        }
    )
    assert settings.data_dir == Path(tmp_path)
    assert settings.new_per_day == 5
    assert settings.desired_retention == 0.85
    assert settings.learning_steps[-1] == timedelta(hours=1)
    assert settings.day_start_hour == 0
    assert settings.tz.key == "Asia/Kolkata"


def test_every_bad_variable_is_named_at_once():
    with pytest.raises(SettingsError) as caught:
        load_settings(
            {
                "PREP_NEW_PER_DAY": "lots",
                "PREP_DESIRED_RETENTION": "1.5",
                "PREP_TIMEZONE": "Mars/Olympus",
                "PREP_LEARNING_STEPS": "1 minute",
            }
        )
    message = str(caught.value)
    for name in (
        "PREP_NEW_PER_DAY='lots'",
        "PREP_DESIRED_RETENTION='1.5'",
        "PREP_TIMEZONE='Mars/Olympus'",
        "PREP_LEARNING_STEPS='1 minute'",
    ):
        assert name in message
    assert "0.7 to 0.99" in message


def test_missing_model_folder_says_how_to_fix(tmp_path):
    settings = load_settings({"PREP_EMBEDDING_MODEL": str(tmp_path / "nowhere")})
    with pytest.raises(SettingsError, match="unset it to use the packaged"):
        settings.model_path()
