"""The maintainers' workshop: what builds, checks and publishes the course, kept out of the student's package.

It may import ``course_utils``; ``course_utils`` never imports it (``tests/test_layout.py``).

- ``cli.py``       ``python -m workshop``: series, times, report, model-cards, handouts, editions, export, site.
- ``series.py``    execute every notebook headless; ``times.py`` turns its records into the headers' times.
- ``editions.py``  the student and the instructor edition; ``handouts.py`` the prompts' handouts.
- ``site.py``      the course website (``site_check.py`` checks it); ``launch.py`` its Colab and Binder links.
- ``report.py``    the results tables; ``model_cards.py`` and ``card_sections.py`` the model cards.
- ``export.py``    the notebooks' ``#@save`` cells into ``course_utils/training/networks.py``.
"""
