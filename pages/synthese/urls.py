from django.urls import path

from pages.synthese import views

app_name = "synthese"

urlpatterns = [path("", views.synthese, name="synthese")]
