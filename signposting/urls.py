app_name = "signposting"

urlpatterns: list = []
