# Dates in English as the briefs have always read them ("2 December 2026"), not Django's US
# default ("Dec. 2, 2026"). Spanish and Portuguese keep Django's own ("2 de diciembre de 2026").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
